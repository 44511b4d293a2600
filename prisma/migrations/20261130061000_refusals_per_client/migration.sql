-- The refusal log's second cap (INBOUND_REFUSALS_PER_CLIENT_PER_MINUTE) counts what it drops on the
-- client's last stored refusal of the minute, whatever its domain: this index finds that row in a
-- short range, however many refusals the client has in the retention period.

-- CreateIndex
CREATE INDEX "inbound_refusals_client_address_created_at_idx" ON "inbound_refusals"("client_address", "created_at");
