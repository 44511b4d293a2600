-- The DKIM self-test's signed message, kept with its key and reused for days (decision 031): a
-- re-check then verifies the kept signature against the published key instead of signing afresh
-- (an RSA signature and a PEM parse, about a quarter of a re-check's CPU). A signature, not key
-- material; signed to expire (x=) a day after it stops being reused.
ALTER TABLE "dkim_keys" ADD COLUMN "self_test_message" TEXT,
                        ADD COLUMN "self_test_signed_at" TIMESTAMPTZ(3);
