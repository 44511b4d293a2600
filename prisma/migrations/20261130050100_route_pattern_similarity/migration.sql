-- "Did you mean": the route tester and the inbound gateway's refusals name the routes whose local
-- part is most like the one asked for, on the same domain. Comparing local parts (not whole
-- addresses, which share the domain) keeps unrelated routes out; this index finds them quickly
-- however many routes a domain has.

-- CreateIndex
CREATE INDEX "routes_pattern_key_trgm_idx" ON "routes" USING GIN ("pattern_key" gin_trgm_ops);
