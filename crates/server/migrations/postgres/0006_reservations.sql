-- A throttled attempt's reservation in one round trip (throttle.rs, `Store::try_reserve`):
-- under the locks of its subjects, what each subject has counted so far; then, only if every
-- subject stays under its ceiling (its failures and attempts in flight together; NULL: no
-- ceiling), one event for each subject counted, committed with the statement that calls it.
-- The ceilings are stricter than the service's own judgement (which it makes from the counts
-- returned): an attempt inserted here is one the service lets through, and one refused or told
-- to wait writes nothing. One under a ceiling that the service would let through anyway (an
-- address past its free failures whose delay has run out) is reserved by the service's general
-- path, a write transaction.
--
-- The locks come first, as in every write transaction (`guards.rs`): the lock every writer
-- holds, shared, then the subjects' by key, in the order given (sorted by the caller). In
-- READ COMMITTED, each statement of this volatile function reads a snapshot taken when it
-- starts: the counts, read after the locks, include every event committed by the attempt that
-- held them before. A REPEATABLE READ snapshot would have been taken before the wait: refused.
CREATE FUNCTION espace_pro_reserve(
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
) LANGUAGE plpgsql VOLATILE AS $$
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
    SELECT array_agg(s.c ORDER BY s.i), array_agg(s.lo ORDER BY s.i),
           array_agg(s.hi ORDER BY s.i), array_agg(s.f ORDER BY s.i)
      INTO counts, oldest, newest, flying
      FROM (
        SELECT w.i,
               COUNT(e.rowid) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS c,
               MIN(e.at) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS lo,
               MAX(e.at) FILTER (WHERE NOT e.pending OR e.at < lease_start) AS hi,
               COUNT(e.rowid) FILTER (WHERE e.pending AND e.at >= lease_start) AS f
          FROM unnest(subjects, sinces) WITH ORDINALITY AS w(subject, since, i)
          LEFT JOIN throttle_events e ON e.subject = w.subject AND e.at > w.since
         GROUP BY w.i
      ) s;
    IF EXISTS (
        SELECT 1 FROM unnest(counts, flying, ceilings) AS x(c, f, ceiling)
         WHERE ceiling IS NOT NULL AND c + f >= ceiling
    ) THEN
        RETURN;
    END IF;
    WITH inserted AS (
        INSERT INTO throttle_events (subject, at, pending)
        SELECT c, at_now, in_flight FROM unnest(counted) AS c
        RETURNING rowid
    )
    SELECT array_agg(rowid) INTO ids FROM inserted;
END
$$;
