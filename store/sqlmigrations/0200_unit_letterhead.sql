-- An office's letterhead (kop surat) and the signature block printed under
-- its reports, set by its admin on the letterhead page. The logo is a file
-- in the state folder (logos/unit-<id>.<png|jpg>), checked for size and type
-- when uploaded; logo_sha256 names the version shown.
CREATE TABLE unit_letterheads (
    unit_id     INTEGER PRIMARY KEY REFERENCES units(id),
    address     TEXT NOT NULL DEFAULT '',
    contact     TEXT NOT NULL DEFAULT '',
    city        TEXT NOT NULL DEFAULT '',
    head_title  TEXT NOT NULL DEFAULT '',
    head_name   TEXT NOT NULL DEFAULT '',
    head_id     TEXT NOT NULL DEFAULT '',
    logo_file   TEXT NOT NULL DEFAULT '',
    logo_type   TEXT NOT NULL DEFAULT '' CHECK (logo_type IN ('', 'png', 'jpeg')),
    logo_sha256 TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id)
);
