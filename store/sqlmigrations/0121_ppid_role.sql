-- humas:foreign_keys=off
-- The PPID role. SQLite cannot change a CHECK constraint in place, so the
-- users table is rebuilt (the documented procedure: foreign keys off for
-- the rebuild, checked with foreign_key_check before commit; the runner
-- does both for a file that starts with the line above).
-- humas:sqlite
CREATE TABLE users_new (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'approver', 'editor', 'viewer', 'ppid')),
    created_at  TEXT NOT NULL,
    disabled_at TEXT
);
INSERT INTO users_new (id, name, unit_id, role, created_at, disabled_at)
    SELECT id, name, unit_id, role, created_at, disabled_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
-- humas:postgres
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'approver', 'editor', 'viewer', 'ppid'));
-- humas:end
