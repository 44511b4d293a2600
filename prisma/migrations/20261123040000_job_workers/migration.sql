-- Background jobs: heartbeats of job workers (read by /api/health) and the index the job sweep
-- uses to find webhook deliveries that are due. pg-boss keeps its job tables in its own schema
-- ("pgboss"), which it creates and migrates itself.

-- CreateTable
CREATE TABLE "worker_heartbeats" (
    "id" VARCHAR(64) NOT NULL,
    "mode" VARCHAR(20) NOT NULL,
    "host" VARCHAR(255) NOT NULL,
    "pid" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_heartbeats_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "worker_heartbeats_seen_at_idx" ON "worker_heartbeats"("seen_at");
