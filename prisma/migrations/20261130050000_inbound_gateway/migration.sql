-- The inbound SMTP gateway: messages it accepted (stored once, raw gzip-compressed), one delivery per
-- accepted recipient in that recipient's organisation, refused commands (capped per client and
-- recipient domain each minute), the shared one-minute rate counters, and gateway heartbeats.

-- CreateEnum
CREATE TYPE "inbound_delivery_status" AS ENUM ('queued', 'spam', 'flagged');

-- CreateEnum
CREATE TYPE "inbound_refusal_stage" AS ENUM ('connect', 'mail', 'rcpt', 'data');

-- CreateTable
CREATE TABLE "inbound_messages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "gateway" VARCHAR(120) NOT NULL,
    "session_id" VARCHAR(64) NOT NULL,
    "client_address" VARCHAR(64) NOT NULL,
    "client_hostname" VARCHAR(255),
    "helo" VARCHAR(255) NOT NULL,
    "tls_protocol" VARCHAR(20),
    "envelope_from" VARCHAR(320) NOT NULL,
    "header_from" VARCHAR(998),
    "subject" VARCHAR(998),
    "message_id_header" VARCHAR(998),
    "sent_at" TIMESTAMPTZ(3),
    "size" INTEGER NOT NULL,
    "trace_token" VARCHAR(128),
    "headers" JSONB NOT NULL,
    "hops" JSONB NOT NULL,
    "spf" VARCHAR(20) NOT NULL,
    "dkim" VARCHAR(20) NOT NULL,
    "dmarc" VARCHAR(20) NOT NULL,
    "arc" VARCHAR(20) NOT NULL,
    "dmarc_policy" VARCHAR(20),
    "auth_details" JSONB NOT NULL,
    "raw_gzip" BYTEA NOT NULL,
    "raw_sha256" VARCHAR(64) NOT NULL,

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_deliveries" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "message_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "recipient" VARCHAR(320) NOT NULL,
    "recipient_key" VARCHAR(320) NOT NULL,
    "original_recipient" VARCHAR(320),
    "domain_id" UUID,
    "route_id" UUID,
    "route_address" VARCHAR(320) NOT NULL,
    "status" "inbound_delivery_status" NOT NULL,
    "queue_id" UUID,
    "queue_name" VARCHAR(120) NOT NULL,
    "priority" INTEGER NOT NULL,
    "skill_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "skills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "language_id" UUID,
    "language_name" VARCHAR(120),
    "search_text" TEXT NOT NULL,

    CONSTRAINT "inbound_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_refusals" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "organization_id" UUID,
    "domain_id" UUID,
    "gateway" VARCHAR(120) NOT NULL,
    "session_id" VARCHAR(64) NOT NULL,
    "client_address" VARCHAR(64) NOT NULL,
    "helo" VARCHAR(255),
    "stage" "inbound_refusal_stage" NOT NULL,
    "envelope_from" VARCHAR(320),
    "recipient" VARCHAR(320),
    "recipient_domain" VARCHAR(253) NOT NULL DEFAULT '',
    "subject" VARCHAR(998),
    "message_id_header" VARCHAR(998),
    "trace_token" VARCHAR(128),
    "size" INTEGER,
    "code" INTEGER NOT NULL,
    "enhanced_status" VARCHAR(10) NOT NULL,
    "reply" VARCHAR(1000) NOT NULL,
    "reason" VARCHAR(40) NOT NULL,
    "explanation" TEXT NOT NULL,
    "closest_routes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "suppressed" INTEGER NOT NULL DEFAULT 0,
    "search_text" TEXT NOT NULL,

    CONSTRAINT "inbound_refusals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_rate_counters" (
    "key" VARCHAR(400) NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "hits" INTEGER NOT NULL,

    CONSTRAINT "inbound_rate_counters_pkey" PRIMARY KEY ("key","window_start")
);

-- CreateTable
CREATE TABLE "inbound_gateway_heartbeats" (
    "id" VARCHAR(120) NOT NULL,
    "mode" VARCHAR(20) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "pid" INTEGER NOT NULL,
    "port" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "inbound_gateway_heartbeats_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "inbound_messages_received_at_idx" ON "inbound_messages"("received_at");

-- CreateIndex
CREATE INDEX "inbound_messages_trace_token_idx" ON "inbound_messages"("trace_token");

-- CreateIndex
CREATE INDEX "inbound_deliveries_organization_id_received_at_message_id_idx" ON "inbound_deliveries"("organization_id", "received_at", "message_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_organization_id_status_received_at_idx" ON "inbound_deliveries"("organization_id", "status", "received_at");

-- CreateIndex
CREATE INDEX "inbound_deliveries_message_id_idx" ON "inbound_deliveries"("message_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_domain_id_idx" ON "inbound_deliveries"("domain_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_route_id_idx" ON "inbound_deliveries"("route_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_queue_id_idx" ON "inbound_deliveries"("queue_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_language_id_idx" ON "inbound_deliveries"("language_id");

-- CreateIndex
CREATE INDEX "inbound_deliveries_search_text_trgm_idx" ON "inbound_deliveries" USING GIN ("search_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "inbound_refusals_organization_id_created_at_idx" ON "inbound_refusals"("organization_id", "created_at");

-- CreateIndex
CREATE INDEX "inbound_refusals_created_at_idx" ON "inbound_refusals"("created_at");

-- CreateIndex
CREATE INDEX "inbound_refusals_client_address_recipient_domain_created_at_idx" ON "inbound_refusals"("client_address", "recipient_domain", "created_at");

-- CreateIndex
CREATE INDEX "inbound_refusals_domain_id_idx" ON "inbound_refusals"("domain_id");

-- CreateIndex
CREATE INDEX "inbound_refusals_trace_token_idx" ON "inbound_refusals"("trace_token");

-- CreateIndex
CREATE INDEX "inbound_refusals_search_text_trgm_idx" ON "inbound_refusals" USING GIN ("search_text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "inbound_rate_counters_window_start_idx" ON "inbound_rate_counters"("window_start");

-- CreateIndex
CREATE INDEX "inbound_gateway_heartbeats_seen_at_idx" ON "inbound_gateway_heartbeats"("seen_at");

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "inbound_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_route_id_fkey" FOREIGN KEY ("route_id") REFERENCES "routes"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_deliveries" ADD CONSTRAINT "inbound_deliveries_language_id_fkey" FOREIGN KEY ("language_id") REFERENCES "languages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_refusals" ADD CONSTRAINT "inbound_refusals_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_refusals" ADD CONSTRAINT "inbound_refusals_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE SET NULL ON UPDATE CASCADE;
