-- The gateway records the original recipient of a keep-copies domain's mail from the original
-- domain the set-up wizard asked for (lib/routing/original-domain.ts reads wizard_sessions). It
-- caches that answer with its routing decisions (lib/mail/route-cache.ts), so a wizard answer
-- changing must drop the cache like a route changing does: same channel, one notification per
-- statement.
CREATE TRIGGER "wizard_sessions_routing_changed" AFTER INSERT OR DELETE OR UPDATE OF "data", "domain_id", "organization_id" OR TRUNCATE
  ON "wizard_sessions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
