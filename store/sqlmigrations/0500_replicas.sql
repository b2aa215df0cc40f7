-- Several serve replicas over one PostgreSQL (issue 18).
-- A delivery being published is claimed by one replica (claimed_by) until
-- claim_expires_at, which that replica renews while it works on it; a claim
-- that expired belonged to a replica that died, and any replica returns the
-- delivery to the queue with reconcile set (the platform is read before
-- anything is sent again).
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN claim_expires_at TEXT;
CREATE INDEX deliveries_claims ON deliveries (status, claim_expires_at);

-- Leases of the jobs that must run on one replica at a time (token checks,
-- report mails, read-model rebuilds, scheduled collections, media
-- retention): the holder renews expires_at; when it stops, another
-- replica takes the lease once it expired.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
