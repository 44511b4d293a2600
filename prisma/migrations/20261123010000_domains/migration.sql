-- Domains, the DNS records each must publish, and the history of their verification runs.

-- CreateEnum
CREATE TYPE "routing_scenario" AS ENUM ('own_domain', 'own_domain_with_copies', 'platform_domain', 'platform_domain_with_copies');

-- CreateEnum
CREATE TYPE "domain_kind" AS ENUM ('custom', 'platform');

-- CreateEnum
CREATE TYPE "domain_status" AS ENUM ('pending', 'verified', 'grace', 'degraded', 'failed');

-- CreateEnum
CREATE TYPE "record_kind" AS ENUM ('ownership', 'mx', 'spf', 'dkim', 'dmarc');

-- CreateEnum
CREATE TYPE "record_verdict" AS ENUM ('pending', 'verified', 'failed', 'temporary_failure');

-- CreateTable
CREATE TABLE "domains" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organization_id" UUID NOT NULL,
    "kind" "domain_kind" NOT NULL,
    "scenario" "routing_scenario" NOT NULL,
    "name" VARCHAR(253) NOT NULL,
    "display_name" VARCHAR(253) NOT NULL,
    "platform_label" VARCHAR(63),
    "status" "domain_status" NOT NULL DEFAULT 'pending',
    "status_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verification_started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verified_at" TIMESTAMPTZ(3),
    "grace_started_at" TIMESTAMPTZ(3),
    "last_checked_at" TIMESTAMPTZ(3),
    "next_check_at" TIMESTAMPTZ(3),
    "ownership_token" VARCHAR(64),
    "dkim_selector" VARCHAR(63),
    "dkim_public_key" TEXT,
    "dkim_private_key_sealed" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_records" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "domain_id" UUID NOT NULL,
    "kind" "record_kind" NOT NULL,
    "position" INTEGER NOT NULL,
    "type" VARCHAR(8) NOT NULL,
    "name" VARCHAR(253) NOT NULL,
    "value" TEXT NOT NULL,
    "preference" INTEGER,
    "spf_include" VARCHAR(253),
    "required" BOOLEAN NOT NULL DEFAULT true,
    "verdict" "record_verdict" NOT NULL DEFAULT 'pending',
    "last_checked_at" TIMESTAMPTZ(3),
    "last_check" JSONB,

    CONSTRAINT "domain_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_checks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "domain_id" UUID NOT NULL,
    "trigger" VARCHAR(20) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "ownership" "record_verdict" NOT NULL,
    "inbound" "record_verdict" NOT NULL,
    "sending" "record_verdict" NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "domain_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "domains_name_key" ON "domains"("name");

-- CreateIndex
CREATE UNIQUE INDEX "domains_platform_label_key" ON "domains"("platform_label");

-- CreateIndex
CREATE INDEX "domains_organization_id_idx" ON "domains"("organization_id");

-- CreateIndex
CREATE UNIQUE INDEX "domain_records_domain_id_position_key" ON "domain_records"("domain_id", "position");

-- CreateIndex
CREATE INDEX "domain_checks_domain_id_started_at_idx" ON "domain_checks"("domain_id", "started_at");

-- AddForeignKey
ALTER TABLE "domains" ADD CONSTRAINT "domains_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domain_records" ADD CONSTRAINT "domain_records_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domain_checks" ADD CONSTRAINT "domain_checks_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;
