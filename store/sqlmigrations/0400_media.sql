-- The media library (issue 16). A media item is one stored file, as it is
-- published: images already converted to an Instagram-acceptable JPEG
-- (orientation applied, metadata removed), videos as uploaded. It belongs
-- to a unit (seen by that unit and the units above it, as posts are).
-- storage_key and thumb_key name the blobs in the store (local folder or
-- S3 bucket); notes lists what the upload changed (JSON array of codes);
-- derived_from is the item a crop was made from. deleted_at: the blob is
-- gone (deleted by staff or by retention); the row stays for the posts
-- that used it and their audit trail.
CREATE TABLE media (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    uploaded_by  INTEGER,
    kind         TEXT NOT NULL CHECK (kind IN ('image', 'video')),
    mime         TEXT NOT NULL,
    filename     TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    duration     REAL NOT NULL DEFAULT 0,
    frame_rate   REAL NOT NULL DEFAULT 0,
    container    TEXT NOT NULL DEFAULT '',
    video_codec  TEXT NOT NULL DEFAULT '',
    audio_codec  TEXT NOT NULL DEFAULT '',
    fast_start   INTEGER NOT NULL DEFAULT 1,
    storage_key  TEXT NOT NULL,
    thumb_key    TEXT NOT NULL DEFAULT '',
    source_url   TEXT NOT NULL DEFAULT '',
    derived_from INTEGER,
    crop         TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '[]',
    original     TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE INDEX media_unit_created ON media (unit_id, created_at);
CREATE INDEX media_created ON media (created_at) WHERE deleted_at IS NULL;

-- Resumable uploads in progress: the bytes received so far are in a temp
-- file named by id under the state folder; received is how many.
CREATE TABLE media_uploads (
    id         TEXT PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    user_id    INTEGER,
    filename   TEXT NOT NULL,
    size       INTEGER NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    media_id   INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A caption per network (issue 16): {"facebook": "...", "instagram": "..."};
-- a platform without one uses posts.caption. Part of the content version.
ALTER TABLE posts ADD COLUMN captions TEXT NOT NULL DEFAULT '{}';
