-- Collector runs: one row per collection (scheduled, API or command line),
-- updated as channels finish, so GET /api/v1/collect/{id} can report
-- progress from any process.
CREATE TABLE collect_runs (
    id              TEXT PRIMARY KEY,
    trigger_kind    TEXT NOT NULL CHECK (trigger_kind IN ('schedule', 'api', 'cli')),
    requested_by    TEXT NOT NULL DEFAULT '',
    channel_id      INTEGER NOT NULL DEFAULT 0,
    since           TEXT,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'partial', 'failed')),
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    channels_total  INTEGER NOT NULL DEFAULT 0,
    channels_done   INTEGER NOT NULL DEFAULT 0,
    channels_failed INTEGER NOT NULL DEFAULT 0,
    channels_paused INTEGER NOT NULL DEFAULT 0,
    posts           INTEGER NOT NULL DEFAULT 0,
    rows_written    INTEGER NOT NULL DEFAULT 0,
    rows_buffered   INTEGER NOT NULL DEFAULT 0,
    graph_calls     INTEGER NOT NULL DEFAULT 0,
    errors          TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX collect_runs_started ON collect_runs (started_at);
