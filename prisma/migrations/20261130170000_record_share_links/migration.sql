-- Read-only links to a domain's records and their live status, for whoever runs the DNS (no
-- sign-in). Only an HMAC of the link's token is stored (lib/domains/share-links.ts): the database
-- alone can neither show nor forge a working link. A link stops working at expires_at or once
-- revoked; rows stay for the audit trail until the domain goes.
CREATE TABLE "record_share_links" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "organization_id" UUID NOT NULL,
  "domain_id" UUID NOT NULL,
  "token_hash" CHAR(64) NOT NULL,
  "created_by_email" VARCHAR(254) NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "revoked_at" TIMESTAMPTZ(3),
  "revoked_by_email" VARCHAR(254),
  CONSTRAINT "record_share_links_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "record_share_links_token_hash_key" ON "record_share_links"("token_hash");
CREATE INDEX "record_share_links_domain_id_created_at_idx" ON "record_share_links"("domain_id", "created_at");
ALTER TABLE "record_share_links" ADD CONSTRAINT "record_share_links_organization_id_fkey"
  FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "record_share_links" ADD CONSTRAINT "record_share_links_domain_id_fkey"
  FOREIGN KEY ("domain_id") REFERENCES "domains"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- When each record was last seen verified: a record that was verified and is now missing is
-- said to have disappeared, not to be "not found yet".
ALTER TABLE "domain_records" ADD COLUMN "last_verified_at" TIMESTAMPTZ(3);
UPDATE "domain_records" SET "last_verified_at" = "last_checked_at" WHERE "verdict" = 'verified';
