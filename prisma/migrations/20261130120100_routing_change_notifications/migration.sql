-- Every change to what an address resolves to (lib/routing/address-resolution.ts reads domains,
-- routes, route_skills, queues, languages and skills) sends a notification on the channel
-- `routing_changed` when its transaction commits. Inbound gateways LISTEN on it and drop their
-- cache of routing decisions (lib/mail/route-cache.ts), so a route created or deleted in the
-- console takes effect at once on every instance. One notification per statement (a bulk import
-- sends one, not one per row); domains only for the columns routing reads, since the domain
-- monitor updates check times often.
CREATE FUNCTION "notify_routing_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('routing_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER "domains_routing_changed" AFTER INSERT OR DELETE OR UPDATE OF "name", "display_name", "status", "scenario", "kind", "organization_id" OR TRUNCATE
  ON "domains" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
CREATE TRIGGER "routes_routing_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "routes" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
CREATE TRIGGER "route_skills_routing_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "route_skills" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
CREATE TRIGGER "queues_routing_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "queues" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
CREATE TRIGGER "languages_routing_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "languages" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
CREATE TRIGGER "skills_routing_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
  ON "skills" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
