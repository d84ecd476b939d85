-- The delivery worker that claimed a message (several replicas deliver): a worker that stops
-- gives back exactly its own claims; a worker that dies leaves them to expire.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
