-- Every re-check rewrites its domain's row, its records' rows and its DKIM keys' rows. In full
-- pages PostgreSQL cannot put the new version beside the old one (a HOT update), so it also writes
-- a new entry into every index of the table. Under bench/recheck.ts (one worker, 24 slots, 4,000
-- domains) 41 % of the domains' updates, 15 % of the records' and 48 % of the keys' were HOT. With a
-- fifth of each page left free: 58 %, 20 % and nearly all, and the check's store statement took
-- 1.84 ms on average instead of 2.10–2.16 (pg_stat_statements). The bench's checks a second moved
-- within its noise (96.5 before, 99.4 after). Rows written from now on fill pages to 80 %; pages
-- written before keep their layout until they are rewritten.
ALTER TABLE "domains" SET (fillfactor = 80);
ALTER TABLE "domain_records" SET (fillfactor = 80);
ALTER TABLE "dkim_keys" SET (fillfactor = 80);
