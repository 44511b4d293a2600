-- Sign-in limits that hold under concurrency: an attempt is recorded in login_failures before its
-- password is checked, and only while the account and the client address are both under the
-- limit. One call does it atomically: it takes an advisory lock for the account, then one for the
-- address (always in that order, in separate lock spaces, so two calls cannot deadlock), and,
-- being a VOLATILE function in READ COMMITTED, counts with a snapshot taken after both locks were
-- granted, so every reservation committed before it is seen. The locks are released at commit.
-- Returned: whether the attempt was reserved, and each count with its oldest row in the window
-- (for the "try again in …" answer). Called by lib/auth/login-limiter.ts.

CREATE FUNCTION "reserve_login_attempt"(
    "p_email" VARCHAR,
    "p_client_address" VARCHAR,
    "p_now" TIMESTAMPTZ,
    "p_window_seconds" INTEGER,
    "p_max_failures" INTEGER
) RETURNS TABLE (
    "reserved" BOOLEAN,
    "account_failures" BIGINT,
    "account_oldest" TIMESTAMPTZ,
    "client_failures" BIGINT,
    "client_oldest" TIMESTAMPTZ
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    since TIMESTAMPTZ := p_now - make_interval(secs => p_window_seconds);
BEGIN
    -- 1279741505 = 'LGNA' (accounts), 1279741507 = 'LGNC' (client addresses).
    PERFORM pg_advisory_xact_lock(1279741505, hashtext(p_email));
    PERFORM pg_advisory_xact_lock(1279741507, hashtext(p_client_address));
    SELECT count(*), min(f.created_at) INTO account_failures, account_oldest
      FROM login_failures f WHERE f.email = p_email AND f.created_at > since;
    SELECT count(*), min(f.created_at) INTO client_failures, client_oldest
      FROM login_failures f WHERE f.client_address = p_client_address AND f.created_at > since;
    reserved := account_failures < p_max_failures AND client_failures < p_max_failures;
    IF reserved THEN
        INSERT INTO login_failures (email, client_address, created_at) VALUES (p_email, p_client_address, p_now);
    END IF;
    RETURN NEXT;
END;
$$;
