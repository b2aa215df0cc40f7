-- Public-information requests (issue 19). A request comes from an inbox
-- comment (comment_id) or is entered by hand; due_at is 10 working days
-- after its receipt, extended_due_at the one extension (7 working days
-- more, with its reason). It closes answered (by a public reply through
-- the inbox, reply_id, or through another channel, answer_note) or
-- refused with the exemption's legal basis. overdue_notified_at: the PPID
-- officers and the unit head were told it is late.
CREATE TABLE ppid_requests (
    id                  INTEGER PRIMARY KEY,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    comment_id          INTEGER,
    channel_id          INTEGER,
    platform            TEXT NOT NULL DEFAULT '',
    requester_name      TEXT NOT NULL,
    requester_id        TEXT NOT NULL DEFAULT '',
    question            TEXT NOT NULL,
    category            TEXT NOT NULL CHECK (category IN ('berkala', 'serta_merta', 'setiap_saat', 'dikecualikan')),
    received_at         TEXT NOT NULL,
    due_at              TEXT NOT NULL,
    extended_due_at     TEXT,
    extension_reason    TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'refused')),
    answer_kind         TEXT NOT NULL DEFAULT '' CHECK (answer_kind IN ('', 'reply', 'other_channel', 'refused')),
    answer_note         TEXT NOT NULL DEFAULT '',
    legal_basis         TEXT NOT NULL DEFAULT '',
    reply_id            INTEGER,
    closed_at           TEXT,
    closed_by           INTEGER,
    overdue_notified_at TEXT,
    created_by          INTEGER NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX ppid_requests_comment ON ppid_requests (comment_id) WHERE comment_id IS NOT NULL;
CREATE INDEX ppid_requests_unit_received ON ppid_requests (unit_id, received_at);
