-- A log-in that got in, in one round trip (store/log_in.rs, `Store::try_open_session`), and a
-- throttling reservation that does not wait for the disk.
--
-- `espace_pro_open_session` does what the log-in's write transaction does (auth/mod.rs) when
-- nothing is to be sent (no second factor, a device the account knows): under the locks (the
-- shared one, then the account's and the address's, sorted by the caller), it checks that the
-- credentials verified before are still the account's; then it deletes the attempt's events and
-- the address's, inserts the session and its audit line. Anything else (a second
-- factor, a new device, which an e-mail tells) is left to the general path, with nothing
-- written: 'general'. Credentials changed meanwhile: 'changed', nothing written. Called outside
-- any transaction (the store calls it on the pool), it commits with the statement that calls it,
-- waiting for the disk as every commit does: the session and its audit line are kept whatever
-- happens next. READ COMMITTED, as `espace_pro_reserve`: each statement reads after the locks.
--
-- Both functions run their statements as index scans (`enable_seqscan`, `enable_bitmapscan` off
-- for the call): throttling events are inserted and deleted at the rate of log-ins, and a scan of
-- the index marks the entries of deleted ones dead, which the next insert on that page reclaims.
-- Sequential and bitmap scans mark nothing: the index of a table of a few live rows had grown to
-- 450 kB between two vacuums, and each log-in read 30 pages of it (with them off: 16 kB, 2 to 8).
--
-- `espace_pro_reserve` (called on the pool too) commits without waiting for the disk
-- (`synchronous_commit` off for its own transaction only). A crash of the database can lose the
-- attempts it counted in its last moments (`wal_writer_delay` × 3, 0.6 s by default) and nothing
-- else: a few attempts uncounted, as an in-memory limiter would after a restart. The ids of
-- events lost that way can be given again after the restart; a request that spanned the restart
-- can then settle or take back another attempt's event of that moment (an attempt counted as a
-- failure, or uncounted). Any later commit that waits for the disk writes them first, as the log
-- is written in order.

CREATE OR REPLACE FUNCTION espace_pro_reserve(
    shared_key  BIGINT,
    lock_keys   BIGINT[],
    subjects    TEXT[],
    sinces      BIGINT[],
    ceilings    BIGINT[],
    lease_start BIGINT,
    counted     TEXT[],
    at_now      BIGINT,
    in_flight   BOOLEAN,
    OUT counts  BIGINT[],
    OUT oldest  BIGINT[],
    OUT newest  BIGINT[],
    OUT flying  BIGINT[],
    OUT ids     BIGINT[]
) LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
    k BIGINT;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'espace_pro_reserve needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock_shared(shared_key);
    FOREACH k IN ARRAY lock_keys LOOP
        PERFORM pg_advisory_xact_lock(k);
    END LOOP;
    -- One index scan per subject (LATERAL), whatever the planner thinks of a small table: a
    -- scan of the index, unlike a sequential or bitmap one, marks the index entries of deleted
    -- events as dead, and an insert then reclaims their room (events are inserted and deleted
    -- at the rate of log-ins; vacuum comes once a minute).
    SELECT array_agg(s.c ORDER BY w.i), array_agg(s.lo ORDER BY w.i),
           array_agg(s.hi ORDER BY w.i), array_agg(s.f ORDER BY w.i)
      INTO counts, oldest, newest, flying
      FROM unnest(subjects, sinces) WITH ORDINALITY AS w(subject, since, i)
      CROSS JOIN LATERAL (
        SELECT COUNT(*) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS c,
               MIN(e.at) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS lo,
               MAX(e.at) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS hi,
               COUNT(*) FILTER (WHERE e.pending AND e.at >= lease_start) AS f
          FROM throttle_events e
         WHERE e.subject = w.subject AND e.at > w.since
      ) s;
    IF EXISTS (
        SELECT 1 FROM unnest(counts, flying, ceilings) AS x(c, f, ceiling)
         WHERE ceiling IS NOT NULL AND c + f >= ceiling
    ) THEN
        RETURN;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH inserted AS (
        INSERT INTO throttle_events (subject, at, pending)
        SELECT c, at_now, in_flight FROM unnest(counted) AS c
        RETURNING rowid
    )
    SELECT array_agg(rowid) INTO ids FROM inserted;
END
$$;

CREATE FUNCTION espace_pro_open_session(
    shared_key      BIGINT,
    lock_keys       BIGINT[],
    account         BIGINT,
    password_hash_v TEXT,
    email_key       TEXT,
    forget          TEXT,
    taken_back      BIGINT[],
    token_hash_v    BYTEA,
    at_now          BIGINT,
    expires         BIGINT,
    only_password   BOOLEAN,
    public_id_v     TEXT,
    device_name_v   TEXT,
    client_ip_v     TEXT,
    device          BYTEA,
    audit_kind      TEXT,
    audit_detail    TEXT
) RETURNS TEXT LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
    k BIGINT;
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'espace_pro_open_session needs READ COMMITTED, not %',
            current_setting('transaction_isolation');
    END IF;
    PERFORM pg_advisory_xact_lock_shared(shared_key);
    FOREACH k IN ARRAY lock_keys LOOP
        PERFORM pg_advisory_xact_lock(k);
    END LOOP;
    IF NOT EXISTS (
        SELECT 1 FROM accounts
         WHERE id = account AND password_hash = password_hash_v AND login_email_key = email_key
    ) THEN
        RETURN 'changed';
    END IF;
    IF device IS NULL
       OR EXISTS (
           SELECT 1 FROM second_factors
            WHERE account_id = account AND secret_sealed IS NOT NULL
       )
       OR NOT EXISTS (
           SELECT 1 FROM known_devices WHERE account_id = account AND device_hash = device
       ) THEN
        RETURN 'general';
    END IF;
    -- Two statements, each an index scan (see above).
    DELETE FROM throttle_events WHERE rowid = ANY(taken_back);
    DELETE FROM throttle_events WHERE subject = forget;
    INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, auth_time,
        expires_at, revoked_at, password_only, public_id, device_name, client_ip, device_hash)
    VALUES (token_hash_v, account, at_now, at_now, at_now, expires, NULL, only_password,
        public_id_v, device_name_v, client_ip_v, device);
    INSERT INTO audit_events (account_id, kind, at, client_ip, detail)
    VALUES (account, audit_kind, at_now, client_ip_v, audit_detail);
    RETURN 'opened';
END
$$;
