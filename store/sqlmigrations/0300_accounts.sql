-- People sign in as people (issue 15): passwords (argon2id, PHC string),
-- an optional e-mail address (sign-in name and where setup links go),
-- optional TOTP two-factor sign-in with one-time recovery codes, one-time
-- setup links instead of printed tokens, API tokens with a name and an
-- expiry, sessions that slide up to an absolute cap, and single sign-on.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN password_changed_at TEXT;
-- The TOTP secret, AES-GCM sealed with HUMAS_SECRET_KEY; totp_enabled_at
-- is NULL while enrolment waits for its first code. totp_last_step is the
-- last 30-second step accepted: a code is good once.
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE email IS NOT NULL;

-- Recovery codes are stored as SHA-256 hashes and used once.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- One-time setup links: an invitation (the user sets a first password), a
-- password reset, or the first run of an empty installation (user_id
-- NULL). Only the SHA-256 of the token is stored; a new link of a user
-- voids the older ones.
CREATE TABLE setup_links (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset', 'first_run')),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT,
    used_at    TEXT,
    voided_at  TEXT
);
CREATE INDEX setup_links_user ON setup_links (user_id);

ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- stage: 'full' is signed in; 'totp' waits for the second factor;
-- 'enrol' must enrol in two-factor sign-in first. max_expires_at is the
-- absolute cap the sliding expires_at never passes.
ALTER TABLE web_sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';
ALTER TABLE web_sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'token';
ALTER TABLE web_sessions ADD COLUMN max_expires_at TEXT;
UPDATE web_sessions SET max_expires_at = expires_at;

-- A unit can require two-factor sign-in of its admins, approvers and
-- PPID officers (and of those of the units below it).
ALTER TABLE units ADD COLUMN require_2fa INTEGER NOT NULL DEFAULT 0;

-- OpenID Connect sign-ins in progress: state, nonce and the PKCE verifier
-- bound to the browser by a cookie holding a random id (stored hashed).
CREATE TABLE oidc_flows (
    id_hash    TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The audit viewer filters by time.
CREATE INDEX audit_at ON audit_log (at);
