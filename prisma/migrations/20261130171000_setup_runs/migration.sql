-- The set-up wizard's progress, one run per domain instead of one place per administrator
-- (lib/setup/queries.ts, lib/setup/commands/).
-- A run starts when the admin leaves the scenario step, takes its domain when the Domain step
-- registers one (at most one run per domain), is finished when it reaches the Finish step, and
-- goes with its domain when the domain is deleted, so no stepper claims a deleted domain's steps.
CREATE TABLE "setup_runs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "domain_id" UUID,
    "started_by_id" UUID,
    "step" VARCHAR(30) NOT NULL,
    "scenario" "routing_scenario",
    "data" JSONB NOT NULL DEFAULT '{}',
    "finished_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "setup_runs_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "setup_runs_domain_id_key" ON "setup_runs"("domain_id");
CREATE INDEX "setup_runs_organization_id_finished_at_idx" ON "setup_runs"("organization_id", "finished_at");

ALTER TABLE "setup_runs" ADD CONSTRAINT "setup_runs_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "setup_runs" ADD CONSTRAINT "setup_runs_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "setup_runs" ADD CONSTRAINT "setup_runs_started_by_id_fkey" FOREIGN KEY ("started_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Each administrator's place becomes a run: per domain, the most recently touched place wins (its
-- answers, such as the original domain of scenarios 2 and 4, are what the gateway reads); a place
-- at the Finish step is a finished run; a place without a domain is kept only if the admin had
-- chosen a scenario (an untouched first step is no set-up to resume).
INSERT INTO "setup_runs" ("organization_id", "domain_id", "started_by_id", "step", "scenario", "data", "finished_at", "created_at", "updated_at")
SELECT DISTINCT ON ("domain_id") "organization_id", "domain_id", "user_id", "step", "scenario", "data",
       CASE WHEN "step" = 'finish' THEN "updated_at" END, "created_at", "updated_at"
  FROM "wizard_sessions"
 WHERE "domain_id" IS NOT NULL
 ORDER BY "domain_id", "updated_at" DESC;

INSERT INTO "setup_runs" ("organization_id", "domain_id", "started_by_id", "step", "scenario", "data", "finished_at", "created_at", "updated_at")
SELECT "organization_id", NULL, "user_id", "step", "scenario", "data", NULL, "created_at", "updated_at"
  FROM "wizard_sessions"
 WHERE "domain_id" IS NULL AND "scenario" IS NOT NULL;

DROP TABLE "wizard_sessions";

-- The gateway reads the original domain from a run's answers and caches it with its routing
-- decisions (lib/routes/original-domain.ts, lib/mail/route-cache.ts): a change drops the cache.
CREATE TRIGGER "setup_runs_routing_changed" AFTER INSERT OR DELETE OR UPDATE OF "data", "domain_id", "organization_id" OR TRUNCATE
  ON "setup_runs" FOR EACH STATEMENT EXECUTE FUNCTION "notify_routing_changed"();
