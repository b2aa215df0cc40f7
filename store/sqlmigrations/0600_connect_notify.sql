-- Issue 15, second half: channels connected from the browser, rejected
-- posts that say why, and notifications.

-- The token health the unit's admins were last told about (org): they hear
-- once per change into "reconnect needed", "missing permissions" or
-- "expiring", not at every daily check.
ALTER TABLE channels ADD COLUMN health_notified TEXT NOT NULL DEFAULT '';

-- Why an approver sent a post back, who and when (scheduler): shown at the
-- top of the post, in the list and in the calendar until it is resubmitted.
ALTER TABLE posts ADD COLUMN rejected_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN rejected_by INTEGER REFERENCES users(id);
ALTER TABLE posts ADD COLUMN rejected_at TEXT;

-- In-app notifications (notify): one row per person. Titles and texts are
-- kept in both languages; link is a path of the site. dedupe_key makes an
-- event that may be reported twice (a report generated again) land once.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL,
    title_id   TEXT NOT NULL,
    title_en   TEXT NOT NULL,
    body_id    TEXT NOT NULL DEFAULT '',
    body_en    TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE UNIQUE INDEX notifications_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Which kinds a person also gets by email (notify); a kind without a row
-- takes its default.
CREATE TABLE notification_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind    TEXT NOT NULL,
    email   INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- The email outbox (notify): written with the notification, drained by
-- the sender in the background; a failed send is retried with backoff and
-- its attempts and last error stay visible.
CREATE TABLE notification_emails (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER REFERENCES notifications(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'retrying', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX notification_emails_due ON notification_emails (status, next_attempt_at);
CREATE INDEX notification_emails_notification ON notification_emails (notification_id);
