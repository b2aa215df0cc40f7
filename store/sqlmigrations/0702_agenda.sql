-- The agenda (issue 19): a unit's events (election stages, national
-- days, plenary meetings, deadlines, campaigns), seen by the unit and the
-- units below it. uid is the iCalendar UID of an imported event (a
-- re-import updates it) or one made for a manual entry. event_posts links
-- humas posts to the event they are about (chosen when composing).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    uid         TEXT NOT NULL,
    title       TEXT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('election_stage', 'national_day', 'plenary', 'deadline', 'campaign')),
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    all_day     INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL CHECK (source IN ('manual', 'ics')),
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    UNIQUE (unit_id, uid)
);
CREATE INDEX events_starts ON events (starts_at);

CREATE TABLE event_posts (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    post_id  INTEGER NOT NULL,
    linked_by INTEGER,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (event_id, post_id)
);
CREATE UNIQUE INDEX event_posts_post ON event_posts (post_id);
