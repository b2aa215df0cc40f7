-- Collector runs as a lease: at most one run is 'running' per state
-- database, across processes (serve, humas collect). A run renews
-- heartbeat_at while it goes; a 'running' row whose heartbeat is older than
-- the lease (2 minutes) belongs to a process that died, and the next run
-- marks it failed before it claims the lease.
ALTER TABLE collect_runs ADD COLUMN heartbeat_at TEXT;
UPDATE collect_runs SET status = 'failed', finished_at = COALESCE(finished_at, started_at),
    errors = '[{"channel_id":0,"channel":"","reason":"abandoned","message":"the process running this collection stopped before it finished / proses yang menjalankan koleksi ini berhenti sebelum selesai"}]'
WHERE status = 'running';
CREATE UNIQUE INDEX collect_runs_one_running ON collect_runs (status) WHERE status = 'running';
