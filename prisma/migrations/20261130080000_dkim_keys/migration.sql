-- DKIM keys get a table of their own, so a domain can hold more than one key while it rotates: a
-- new key waits (pending) for its record to be published and verified, the active key signs, and
-- the key it replaced stays published for a while (retiring) before it is retired.
--
-- Every custom domain's existing key moves here as its active key, and the domain's DKIM record is
-- tied to it. The key columns on domains go: there is one home for a domain's keys.

-- CreateEnum
CREATE TYPE "dkim_key_state" AS ENUM ('pending', 'active', 'retiring', 'retired');

-- CreateTable
CREATE TABLE "dkim_keys" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "domain_id" UUID NOT NULL,
    "selector" VARCHAR(63) NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key_sealed" TEXT,
    "state" "dkim_key_state" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activated_at" TIMESTAMPTZ(3),
    "replaced_at" TIMESTAMPTZ(3),
    "retire_after" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),
    "self_test_outcome" VARCHAR(20),
    "self_test_code" VARCHAR(30),
    "self_test_detail" VARCHAR(500),
    "self_tested_at" TIMESTAMPTZ(3),

    CONSTRAINT "dkim_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dkim_keys_domain_id_selector_key" ON "dkim_keys"("domain_id", "selector");

-- One rotation at a time, and one key signing: two admins rotating at once get one new key.
CREATE UNIQUE INDEX "dkim_keys_one_pending_per_domain" ON "dkim_keys"("domain_id") WHERE state = 'pending';
CREATE UNIQUE INDEX "dkim_keys_one_active_per_domain" ON "dkim_keys"("domain_id") WHERE state = 'active';

-- AddForeignKey
ALTER TABLE "dkim_keys" ADD CONSTRAINT "dkim_keys_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "domain_records" ADD COLUMN "dkim_key_id" UUID;

-- CreateIndex
CREATE INDEX "domain_records_dkim_key_id_idx" ON "domain_records"("dkim_key_id");

-- AddForeignKey
ALTER TABLE "domain_records" ADD CONSTRAINT "domain_records_dkim_key_id_fkey" FOREIGN KEY ("dkim_key_id") REFERENCES "dkim_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing keys become their domain's active key, signing since the domain was registered.
INSERT INTO "dkim_keys" ("domain_id", "selector", "public_key", "private_key_sealed", "state", "created_at", "activated_at")
SELECT "id", "dkim_selector", "dkim_public_key", "dkim_private_key_sealed", 'active', "created_at", "created_at"
  FROM "domains"
 WHERE "kind" = 'custom' AND "dkim_selector" IS NOT NULL AND "dkim_public_key" IS NOT NULL;

UPDATE "domain_records" r
   SET "dkim_key_id" = k."id"
  FROM "dkim_keys" k
 WHERE r."domain_id" = k."domain_id" AND r."kind" = 'dkim';

-- AlterTable
ALTER TABLE "domains" DROP COLUMN "dkim_selector",
DROP COLUMN "dkim_public_key",
DROP COLUMN "dkim_private_key_sealed";
