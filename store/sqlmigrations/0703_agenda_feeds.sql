-- Calendar subscriptions (issue 19): an iCalendar URL a unit's agenda is
-- re-imported from every day (by UID: events update, never double).
-- synced_at is the last attempt, last_error why it failed ('' when it
-- worked), events how many events the last good import read.
CREATE TABLE agenda_feeds (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    url         TEXT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('election_stage', 'national_day', 'plenary', 'deadline', 'campaign')),
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    synced_at   TEXT,
    last_error  TEXT NOT NULL DEFAULT '',
    events      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (unit_id, url)
);
