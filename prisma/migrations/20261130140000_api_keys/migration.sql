-- Organisation API keys for the Automation API (/api/v1). The secret is shown once at creation;
-- only its SHA-256 is kept (lib/api-keys/secret.ts says why a fast hash is right for it).
CREATE TABLE "api_keys" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "organization_id" UUID NOT NULL,
  "name" VARCHAR(100) NOT NULL,
  "ability" VARCHAR(10) NOT NULL,
  "prefix" VARCHAR(16) NOT NULL,
  "secret_hash" CHAR(64) NOT NULL,
  "created_by_id" UUID NOT NULL,
  "created_by_email" VARCHAR(254) NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(3),
  "last_used_at" TIMESTAMPTZ(3),
  "revoked_at" TIMESTAMPTZ(3),
  "revoked_by_email" VARCHAR(254),
  "version" INTEGER NOT NULL DEFAULT 1,
  CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "api_keys_ability_check" CHECK ("ability" IN ('view', 'manage'))
);
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
CREATE INDEX "api_keys_organization_id_created_at_idx" ON "api_keys"("organization_id", "created_at");
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_fkey"
  FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- A key acts within what its creator may do; a removed user's keys go with them.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey"
  FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Requests per key and minute, for the per-key rate limit. UNLOGGED: a hit commits without an
-- fsync; a crash empties the table, which only forgives a minute of requests.
CREATE UNLOGGED TABLE "api_rate_counters" (
  "api_key_id" UUID NOT NULL,
  "window_start" TIMESTAMPTZ(3) NOT NULL,
  "hits" INTEGER NOT NULL,
  CONSTRAINT "api_rate_counters_pkey" PRIMARY KEY ("api_key_id", "window_start")
);
CREATE INDEX "api_rate_counters_window_start_idx" ON "api_rate_counters"("window_start");

-- The first answer to a POST sent with an Idempotency-Key, replayed to retries for 24 hours.
CREATE TABLE "api_idempotency_keys" (
  "api_key_id" UUID NOT NULL,
  "key" VARCHAR(200) NOT NULL,
  "method" VARCHAR(10) NOT NULL,
  "path" VARCHAR(400) NOT NULL,
  "request_hash" CHAR(64) NOT NULL,
  -- NULL while the first request is still being processed.
  "status" INTEGER,
  "response_headers" JSONB,
  "response_body" JSONB,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "api_idempotency_keys_pkey" PRIMARY KEY ("api_key_id", "key")
);
CREATE INDEX "api_idempotency_keys_expires_at_idx" ON "api_idempotency_keys"("expires_at");
ALTER TABLE "api_idempotency_keys" ADD CONSTRAINT "api_idempotency_keys_api_key_id_fkey"
  FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;
