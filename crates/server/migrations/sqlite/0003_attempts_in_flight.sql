-- Log-in and re-authentication attempts are counted before the password is verified (so that
-- attempts sent together cannot all slip under a limit), as "in flight" (pending = 1) until
-- they fail (pending = 0) or succeed (deleted). Attempts in flight past a short lease count as
-- failures: a crash mid-attempt gives nothing back.
ALTER TABLE throttle_events ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
