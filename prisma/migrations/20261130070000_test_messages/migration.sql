-- Traced test messages: an administrator sends a message to one of their routed addresses (or, in
-- the "keep copies" scenarios, to the original address on their own mail server); the console
-- delivers it to the recipient domain's MX itself and records each step. The random token it
-- carries (X-Email-Routing-Trace header and envelope sender) is how the gateway's stored message
-- or refusal is found again: inbound_messages.trace_token and inbound_refusals.trace_token /
-- envelope_from, both indexed already or found within the organisation's recent refusals.

-- CreateEnum
CREATE TYPE "test_message_status" AS ENUM ('queued', 'sending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "test_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "token" VARCHAR(64) NOT NULL,
    "target_address" VARCHAR(320) NOT NULL,
    "route_address" VARCHAR(320) NOT NULL,
    "via_redirect" BOOLEAN NOT NULL DEFAULT false,
    "domain_id" UUID,
    "scenario" "routing_scenario" NOT NULL,
    "envelope_from" VARCHAR(320) NOT NULL,
    "created_by_id" UUID,
    "created_by_email" VARCHAR(254) NOT NULL,
    "status" "test_message_status" NOT NULL DEFAULT 'queued',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "mx" JSONB,
    "smtp" JSONB,
    "failure" VARCHAR(40),
    "failure_detail" TEXT,

    CONSTRAINT "test_messages_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "test_messages_token_key" ON "test_messages"("token");

-- CreateIndex
CREATE INDEX "test_messages_organization_id_created_at_idx" ON "test_messages"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "test_messages_domain_id_created_at_idx" ON "test_messages"("domain_id", "created_at");

-- CreateIndex
CREATE INDEX "test_messages_created_by_id_idx" ON "test_messages"("created_by_id");

-- CreateIndex
CREATE INDEX "inbound_refusals_envelope_from_idx" ON "inbound_refusals"("envelope_from");

-- AddForeignKey
ALTER TABLE "test_messages" ADD CONSTRAINT "test_messages_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_messages" ADD CONSTRAINT "test_messages_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "test_messages" ADD CONSTRAINT "test_messages_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
