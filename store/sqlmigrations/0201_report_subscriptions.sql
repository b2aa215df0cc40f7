-- Scheduled reports: people subscribed (by an admin or a division head) to
-- a unit's monthly or weekly report, sent by email as PDF and Excel on the
-- first working day of the month (week). Each send is a delivery row: its
-- attempts, the next retry and the last error, so a failed send is retried
-- with backoff and visible on the subscriptions page. One delivery per
-- subscription and period.
CREATE TABLE report_subscriptions (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    email       TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    frequency   TEXT NOT NULL CHECK (frequency IN ('monthly', 'weekly')),
    lang        TEXT NOT NULL DEFAULT 'id' CHECK (lang IN ('id', 'en')),
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);
CREATE UNIQUE INDEX report_subscriptions_active ON report_subscriptions (unit_id, email, frequency) WHERE disabled_at IS NULL;

CREATE TABLE report_deliveries (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES report_subscriptions(id),
    period_key      TEXT NOT NULL,
    period_from     TEXT NOT NULL,
    period_to       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    pdf_bytes       INTEGER NOT NULL DEFAULT 0,
    xlsx_bytes      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT,
    UNIQUE (subscription_id, period_key)
);
CREATE INDEX report_deliveries_due ON report_deliveries (status, next_attempt_at);
