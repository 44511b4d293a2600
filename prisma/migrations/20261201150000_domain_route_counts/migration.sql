-- Each domain's number of routes, kept by statement-level triggers on routes (decision 033). The
-- per-domain limit was checked by counting the domain's routes under its lock
-- (lock_and_count_domain_routes): at 25,000 routes a domain that count took about 7 ms of the
-- database's CPU a create, and the creates of one domain waited for each other's counts. It now reads
-- one row. Statement-level triggers with transition tables: an import of 10,000 routes changes the
-- count once, not 10,000 times.
--
-- Changes to several domains' counts are made in domain order, so two statements changing the same
-- domains take the rows' locks in the same order. No CHECK (routes >= 0): a count that went wrong
-- must not stop routes from being deleted.

CREATE TABLE "domain_route_counts" (
    "domain_id" UUID NOT NULL,
    "routes" INTEGER NOT NULL,

    CONSTRAINT "domain_route_counts_pkey" PRIMARY KEY ("domain_id")
);

ALTER TABLE "domain_route_counts" ADD CONSTRAINT "domain_route_counts_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE FUNCTION "count_domain_routes"() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM domain_route_counts;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO domain_route_counts AS c (domain_id, routes)
        SELECT domain_id, count(*)::int FROM new_routes GROUP BY domain_id ORDER BY domain_id
        ON CONFLICT (domain_id) DO UPDATE SET routes = c.routes + excluded.routes;
    ELSIF TG_OP = 'DELETE' THEN
        -- A domain being deleted takes its count with it (the foreign key): nothing to update then.
        UPDATE domain_route_counts c SET routes = c.routes - gone.n
          FROM (SELECT domain_id, count(*)::int AS n FROM old_routes GROUP BY domain_id) gone
         WHERE c.domain_id = gone.domain_id;
    ELSE
        -- Only a route moved to another domain changes counts; most updates move none.
        INSERT INTO domain_route_counts AS c (domain_id, routes)
        SELECT moved.domain_id, sum(moved.change)::int
          FROM (SELECT n.domain_id, 1 AS change FROM new_routes n JOIN old_routes o ON o.id = n.id WHERE n.domain_id <> o.domain_id
                UNION ALL
                SELECT o.domain_id, -1 FROM new_routes n JOIN old_routes o ON o.id = n.id WHERE n.domain_id <> o.domain_id) moved
         GROUP BY moved.domain_id ORDER BY moved.domain_id
        ON CONFLICT (domain_id) DO UPDATE SET routes = c.routes + excluded.routes;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "routes_counted_insert" AFTER INSERT ON "routes" REFERENCING NEW TABLE AS new_routes
    FOR EACH STATEMENT EXECUTE FUNCTION "count_domain_routes"();
CREATE TRIGGER "routes_counted_update" AFTER UPDATE ON "routes" REFERENCING OLD TABLE AS old_routes NEW TABLE AS new_routes
    FOR EACH STATEMENT EXECUTE FUNCTION "count_domain_routes"();
CREATE TRIGGER "routes_counted_delete" AFTER DELETE ON "routes" REFERENCING OLD TABLE AS old_routes
    FOR EACH STATEMENT EXECUTE FUNCTION "count_domain_routes"();
CREATE TRIGGER "routes_counted_truncate" AFTER TRUNCATE ON "routes"
    FOR EACH STATEMENT EXECUTE FUNCTION "count_domain_routes"();

INSERT INTO "domain_route_counts" ("domain_id", "routes")
SELECT "domain_id", count(*)::int FROM "routes" GROUP BY "domain_id";

-- The lock as before (1380930900 = 'ROUT', lib/routes/rules.ts); the count is now one row, read
-- with a snapshot taken after the lock was granted (a VOLATILE function in READ COMMITTED), so
-- every route committed by the create it waited for is counted. Capped at the limit as before.
CREATE OR REPLACE FUNCTION "lock_and_count_domain_routes"(
    "p_organization_id" UUID,
    "p_domain_id" UUID,
    "p_limit" INTEGER
) RETURNS INTEGER
LANGUAGE plpgsql VOLATILE
SET lock_timeout = '20s'
AS $$
DECLARE
    counted INTEGER;
BEGIN
    PERFORM pg_advisory_xact_lock(1380930900, hashtext(p_domain_id::text));
    SELECT c.routes INTO counted
      FROM domain_route_counts c JOIN domains d ON d.id = c.domain_id
     WHERE c.domain_id = p_domain_id AND d.organization_id = p_organization_id;
    RETURN least(coalesce(counted, 0), p_limit);
END;
$$;
