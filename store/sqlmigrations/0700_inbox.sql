-- The comments inbox (issue 19). comments holds every comment and reply
-- the collector read on a channel's posts (and the unit's own replies),
-- with the inbox's workflow: status new → done, an assignee, hidden.
-- SQLite, not ClickHouse: each row is state that staff change (status,
-- assignee, hidden, the first answer), a few thousand rows a month per
-- unit, read by unit and time; reports aggregate them here.
-- post_text and post_url show the post a comment is on (as collected).
-- first_reply_at is when the unit first answered the comment (a reply by
-- the Page or IG account, through humas or elsewhere).
CREATE TABLE comments (
    id             INTEGER PRIMARY KEY,
    channel_id     INTEGER NOT NULL REFERENCES channels(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    platform       TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    object_id      TEXT NOT NULL,
    post_text      TEXT NOT NULL DEFAULT '',
    post_url       TEXT NOT NULL DEFAULT '',
    parent_id      TEXT NOT NULL DEFAULT '',
    author_id      TEXT NOT NULL,
    author_name    TEXT NOT NULL,
    message        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    collected_at   TEXT NOT NULL,
    by_page        INTEGER NOT NULL DEFAULT 0,
    is_question    INTEGER NOT NULL DEFAULT 0,
    hidden         INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'done')),
    assignee_id    INTEGER REFERENCES users(id),
    done_at        TEXT,
    first_reply_at TEXT,
    UNIQUE (channel_id, external_id)
);
CREATE INDEX comments_unit_created ON comments (unit_id, created_at);

-- What the collector last saw of a post's comments: the newest comment's
-- time (the next run asks only for newer ones) and the post's comment
-- count (a post whose count did not change is not asked at all).
CREATE TABLE comment_cursors (
    channel_id      INTEGER NOT NULL,
    object_id       TEXT NOT NULL,
    last_created_at TEXT NOT NULL,
    last_count      INTEGER NOT NULL,
    checked_at      TEXT NOT NULL,
    PRIMARY KEY (channel_id, object_id)
);

-- A reply written in humas. state: awaiting_approval (the unit requires
-- approval) → approved → sending → published, or rejected, or failed
-- (Meta refused it). sending with an attempt time is an outcome not yet
-- known: it is reconciled against the comment's replies on the platform
-- before anything is sent again, so a reply is published once.
CREATE TABLE comment_replies (
    id           INTEGER PRIMARY KEY,
    comment_id   INTEGER NOT NULL REFERENCES comments(id),
    message      TEXT NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users(id),
    state        TEXT NOT NULL CHECK (state IN ('awaiting_approval', 'approved', 'sending', 'published', 'rejected', 'failed')),
    approved_by  INTEGER REFERENCES users(id),
    approved_at  TEXT,
    attempt_at   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    external_id  TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    error        TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX comment_replies_one_open ON comment_replies (comment_id)
    WHERE state IN ('awaiting_approval', 'approved', 'sending');
