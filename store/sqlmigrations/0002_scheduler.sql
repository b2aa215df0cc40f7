-- Scheduler bookkeeping for exactly-once publishing.
-- reconcile = 1: an earlier attempt may have reached the platform (lost
-- answer, timeout after sending, crash mid-call, 506 duplicate), so the
-- channel's recent posts are read before anything is sent again.
-- first_attempt_at bounds that read; claimed_at is when the current
-- attempt started; deadline_at ends transient retries.
ALTER TABLE deliveries ADD COLUMN reconcile INTEGER NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN first_attempt_at TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_at TEXT;
ALTER TABLE deliveries ADD COLUMN container_created_at TEXT;
CREATE INDEX deliveries_next ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_channel_status ON deliveries (channel_id, status);
CREATE INDEX posts_recurrence ON posts (recurrence_of);
