-- Domain names, platform labels and route addresses are stored in one normalised form (ASCII
-- A-labels, lower case, no surrounding spaces or trailing dot: lib/dns/idna.ts), and the database
-- refuses any other form. With every stored name normalised, the existing unique indexes on
-- domains.name and domains.platform_label hold across organisations for the normalised name, and
-- the new unique index on routes.address does the same for full addresses.
--
-- Rows written before this (e.g. `ACME-SEC` next to `acme-sec`) are normalised here. If that would
-- make two rows equal, the migration stops and names them: which one to keep is the operator's call.

DO $$
DECLARE
  collisions text;
BEGIN
  SELECT string_agg(format('  %s: %s', key, holders), E'\n' ORDER BY key)
    INTO collisions
    FROM (
      SELECT lower(rtrim(btrim(d.name, E' \t\r\n'), '.')) AS key,
             string_agg(format('"%s" (organisation %s)', d.name, o.slug), ', ' ORDER BY o.slug, d.name) AS holders
        FROM domains d
        JOIN organizations o ON o.id = d.organization_id
       GROUP BY 1
      HAVING count(*) > 1
       ORDER BY 1
       LIMIT 50
    ) AS groups;
  IF collisions IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = E'These domains differ only in letter case, spaces or a trailing dot, so they are the same domain:\n' || collisions,
      HINT = 'Keep one domain of each group and delete the others (or ask their organisation to), then run the migration again. Nothing was changed.';
  END IF;

  SELECT string_agg(format('  %s: %s', key, holders), E'\n' ORDER BY key)
    INTO collisions
    FROM (
      SELECT lower(btrim(d.platform_label, E' \t\r\n')) AS key,
             string_agg(format('"%s" (organisation %s)', d.platform_label, o.slug), ', ' ORDER BY o.slug, d.platform_label) AS holders
        FROM domains d
        JOIN organizations o ON o.id = d.organization_id
       WHERE d.platform_label IS NOT NULL
       GROUP BY 1
      HAVING count(*) > 1
       ORDER BY 1
       LIMIT 50
    ) AS groups;
  IF collisions IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = E'These platform labels differ only in letter case or spaces, so they are the same label:\n' || collisions,
      HINT = 'Keep one domain of each group and delete the others, then run the migration again. Nothing was changed.';
  END IF;

  SELECT string_agg(format('  %s: %s', key, holders), E'\n' ORDER BY key)
    INTO collisions
    FROM (
      SELECT lower(r.pattern) || '@' || lower(rtrim(btrim(d.name, E' \t\r\n'), '.')) AS key,
             string_agg(format('"%s" (organisation %s)', r.address, o.slug), ', ' ORDER BY o.slug, r.address) AS holders
        FROM routes r
        JOIN domains d ON d.id = r.domain_id
        JOIN organizations o ON o.id = r.organization_id
       GROUP BY 1
      HAVING count(*) > 1
       ORDER BY 1
       LIMIT 50
    ) AS groups;
  IF collisions IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = E'These routes have the same address once letter case and spaces are ignored:\n' || collisions,
      HINT = 'Keep one route of each group and delete the others, then run the migration again. Nothing was changed.';
  END IF;
END $$;

UPDATE "domains"
   SET "name" = lower(rtrim(btrim("name", E' \t\r\n'), '.'))
 WHERE "name" <> lower(rtrim(btrim("name", E' \t\r\n'), '.'));

UPDATE "domains"
   SET "platform_label" = lower(btrim("platform_label", E' \t\r\n'))
 WHERE "platform_label" <> lower(btrim("platform_label", E' \t\r\n'));

-- A platform domain's name is all there is to show.
UPDATE "domains" SET "display_name" = "name" WHERE "kind" = 'platform' AND "display_name" <> "name";

UPDATE "routes" r
   SET "address" = lower(r."pattern" || '@' || d."name"),
       "pattern_key" = lower(r."pattern")
  FROM "domains" d
 WHERE d."id" = r."domain_id"
   AND (r."address" <> lower(r."pattern" || '@' || d."name") OR r."pattern_key" <> lower(r."pattern"));

-- Anything still not in normalised form (Unicode stored instead of A-labels, characters no host name
-- has) cannot be fixed by SQL: stop and name it.
DO $$
DECLARE
  odd text;
BEGIN
  SELECT string_agg(format('  "%s" (organisation %s)', d.name, o.slug), E'\n' ORDER BY d.name)
    INTO odd
    FROM (SELECT * FROM domains
           WHERE name !~ '^([a-z0-9-]{1,63}\.)+[a-z0-9-]{1,63}$'
              OR (platform_label IS NOT NULL AND platform_label !~ '^[a-z0-9-]{1,63}$')
           ORDER BY name LIMIT 50) AS d
    JOIN organizations o ON o.id = d.organization_id;
  IF odd IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = E'These domain names are not host names in ASCII form (letters a-z, digits, hyphens and dots, punycode for international names):\n' || odd,
      HINT = 'Delete these domains and register them again in the console, which stores the normalised form. Nothing was changed.';
  END IF;
END $$;

-- AddCheckConstraint
ALTER TABLE "domains" ADD CONSTRAINT "domains_name_normalised_check"
  CHECK ("name" ~ '^([a-z0-9-]{1,63}\.)+[a-z0-9-]{1,63}$');

-- AddCheckConstraint
ALTER TABLE "domains" ADD CONSTRAINT "domains_platform_label_normalised_check"
  CHECK ("platform_label" IS NULL OR "platform_label" ~ '^[a-z0-9-]{1,63}$');

-- AddCheckConstraint
ALTER TABLE "routes" ADD CONSTRAINT "routes_address_normalised_check"
  CHECK ("address" = lower("address") AND "pattern_key" = lower("pattern"));

-- CreateIndex
CREATE UNIQUE INDEX "routes_address_key" ON "routes"("address");
