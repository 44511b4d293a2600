-- Route creation in one statement (decision 026). A create held its domain's lock across three
-- round trips of an interactive transaction (the lock, the count, the write, then COMMIT): on a
-- busy console each round trip waits its turn on the event loop, so the creates of one domain
-- queued behind each other's waits. This function takes the lock and counts inside the database;
-- the statement that calls it (lib/routes/commands/create-route.ts) writes the route, its skills
-- and its audit entry, and, outside a caller's transaction, commits at once: the lock is held for
-- the database's own time only.
--
-- Being a VOLATILE function in READ COMMITTED, its count runs with a snapshot taken after the lock
-- was granted, so every route committed by the create it waited for is counted. The count stops at
-- the limit. 1380930900 = 'ROUT', the lock class of lockDomainRoutes (lib/routes/rules.ts), which
-- imports and moves take: all of them exclude each other per domain. The lock wait is bounded as
-- the interactive transaction's timeout bounded it.

CREATE FUNCTION "lock_and_count_domain_routes"(
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
    SELECT count(*)::int INTO counted
      FROM (SELECT 1 FROM routes r WHERE r.organization_id = p_organization_id AND r.domain_id = p_domain_id LIMIT p_limit) capped;
    RETURN counted;
END;
$$;
