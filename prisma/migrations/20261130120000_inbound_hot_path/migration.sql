-- The inbound gateway's hot path (docs/inbound.md › Performance).
--
-- Rate counters are one-minute tallies: every MAIL FROM and every connection bumps one row per
-- client. Logged, each bump was a commit that waited for its WAL flush (fsync) while holding the
-- row's lock, so all messages from one client queued behind each other's fsync. Unlogged, a bump
-- writes no WAL and commits without a flush; the table is emptied if PostgreSQL crashes (counting
-- restarts from zero for at most a minute) and is not replicated to standbys, neither of which
-- matters for a one-minute limit. Messages and deliveries stay fully durable.
ALTER TABLE "inbound_rate_counters" SET UNLOGGED;
