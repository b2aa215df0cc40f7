-- The content calendar, users and audit log. Times are UTC text in the
-- fixed layout 2006-01-02T15:04:05.000Z (store.FormatTime), so text
-- comparison orders them.

CREATE TABLE units (
    id                INTEGER PRIMARY KEY,
    parent_id         INTEGER REFERENCES units(id),
    name              TEXT NOT NULL,
    slug              TEXT NOT NULL UNIQUE,
    level             TEXT NOT NULL DEFAULT 'other' CHECK (level IN ('national', 'province', 'city', 'other')),
    timezone          TEXT NOT NULL DEFAULT 'Asia/Jakarta',
    requires_approval INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL
);

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'approver', 'editor', 'viewer')),
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);

-- API tokens are stored as SHA-256 hashes; prefix is shown in listings.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- A Facebook Page or an Instagram professional account. The access token
-- is AES-GCM encrypted (nonce || ciphertext) with HUMAS_SECRET_KEY.
CREATE TABLE channels (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    platform            TEXT NOT NULL CHECK (platform IN ('facebook', 'instagram')),
    external_id         TEXT NOT NULL,
    name                TEXT NOT NULL,
    token_ciphertext    BLOB,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reconnect_needed', 'disabled')),
    status_reason       TEXT NOT NULL DEFAULT '',
    token_expires_at    TEXT,
    token_checked_at    TEXT,
    token_scopes        TEXT NOT NULL DEFAULT '[]',
    missing_permissions TEXT NOT NULL DEFAULT '[]',
    paused_until        TEXT,
    last_collected_at   TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT,
    UNIQUE (platform, external_id)
);

CREATE TABLE posts (
    id                    INTEGER PRIMARY KEY,
    unit_id               INTEGER NOT NULL REFERENCES units(id),
    author_id             INTEGER NOT NULL REFERENCES users(id),
    caption               TEXT NOT NULL DEFAULT '',
    link                  TEXT NOT NULL DEFAULT '',
    media                 TEXT NOT NULL DEFAULT '[]',
    content_type          TEXT NOT NULL CHECK (content_type IN ('photo', 'video', 'interactive', 'text', 'link')),
    classification        TEXT NOT NULL CHECK (classification IN ('public', 'exempt')),
    classification_reason TEXT NOT NULL DEFAULT '',
    campaign              TEXT NOT NULL DEFAULT '',
    tags                  TEXT NOT NULL DEFAULT '[]',
    scheduled_at          TEXT NOT NULL,
    recurrence            TEXT NOT NULL DEFAULT '',
    recurrence_of         INTEGER REFERENCES posts(id),
    state                 TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'scheduled', 'publishing',
                                                         'published', 'failed', 'canceled', 'rejected')),
    approved_by           INTEGER REFERENCES users(id),
    approved_at           TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX posts_unit_scheduled ON posts (unit_id, scheduled_at);
CREATE INDEX posts_state ON posts (state, scheduled_at);

-- One delivery per target channel of a post.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels(id),
    status          TEXT NOT NULL DEFAULT 'pending',
    scheduled_at    TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    container_id    TEXT NOT NULL DEFAULT '',
    platform_id     TEXT NOT NULL DEFAULT '',
    permalink       TEXT NOT NULL DEFAULT '',
    error_class     TEXT NOT NULL DEFAULT '',
    error_code      INTEGER NOT NULL DEFAULT 0,
    error_subcode   INTEGER NOT NULL DEFAULT 0,
    error_message   TEXT NOT NULL DEFAULT '',
    error_action    TEXT NOT NULL DEFAULT '',
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (post_id, channel_id)
);
CREATE INDEX deliveries_due ON deliveries (status, scheduled_at);
CREATE INDEX deliveries_platform ON deliveries (platform_id);

-- Content type corrections for platform posts (found on a channel or
-- published through humas); the collector applies them on every write.
CREATE TABLE platform_post_overrides (
    platform     TEXT NOT NULL,
    post_id      TEXT NOT NULL,
    content_type TEXT NOT NULL,
    updated_by   INTEGER REFERENCES users(id),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (platform, post_id)
);

-- Append-only: who did what, when, from which state to which, and why.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state   TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id, id);

-- humas:sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- humas:postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
-- humas:end
