-- Indexes for the routes list at scale (100,000+ routes per organisation) and the audit log's
-- filters. Each list index ends with the sort column(s), so a page is read in order from the index
-- instead of sorting every matching route; the ones ending in "id" let a deep page skip rows with
-- an index-only scan before fetching the page's rows.

-- Superseded by the wider indexes below (same leading columns).
DROP INDEX "routes_organization_id_address_idx";
DROP INDEX "routes_organization_id_queue_id_idx";

-- CreateIndex
CREATE INDEX "routes_organization_id_address_id_idx" ON "routes"("organization_id", "address", "id");

-- CreateIndex
CREATE INDEX "routes_organization_id_domain_id_address_id_idx" ON "routes"("organization_id", "domain_id", "address", "id");

-- CreateIndex
CREATE INDEX "routes_organization_id_queue_id_address_id_idx" ON "routes"("organization_id", "queue_id", "address", "id");

-- CreateIndex
CREATE INDEX "routes_organization_id_priority_address_id_idx" ON "routes"("organization_id", "priority", "address", "id");

-- CreateIndex
CREATE INDEX "audit_entries_organization_id_action_created_at_idx" ON "audit_entries"("organization_id", "action", "created_at");

-- CreateIndex
CREATE INDEX "audit_entries_organization_id_actor_email_created_at_idx" ON "audit_entries"("organization_id", "actor_email", "created_at");

-- CreateIndex
CREATE INDEX "audit_entries_entity_label_trgm_idx" ON "audit_entries" USING GIN ("entity_label" gin_trgm_ops);
