-- Approval bound to content (issue 12). posts.version is the content
-- version from now on: it grows with each content change (caption, media,
-- link, channels, schedule, recurrence, classification, content type,
-- campaign, tags), not with state changes. authors is the author set of
-- the current version: every user who changed the content since the last
-- approval (JSON array of user ids); none of them may approve it.
-- approved_version and approved_hash say which content the approver
-- reviewed.
ALTER TABLE posts ADD COLUMN authors TEXT NOT NULL DEFAULT '[]';
ALTER TABLE posts ADD COLUMN approved_version INTEGER;
ALTER TABLE posts ADD COLUMN approved_hash TEXT NOT NULL DEFAULT '';
-- humas:sqlite
UPDATE posts SET authors = json_array(author_id) WHERE state IN ('draft', 'submitted', 'rejected');
-- humas:postgres
UPDATE posts SET authors = json_build_array(author_id)::text WHERE state IN ('draft', 'submitted', 'rejected');
-- humas:end

-- The PPID's classification under the public-information service
-- standard: public information carries its category (berkala, serta_merta,
-- setiap_saat), exempt information its legal basis (and, in
-- classification_reason, the consequence test). classification_status is
-- 'confirmed' when the unit lets editors classify or a PPID officer
-- confirmed it, 'proposed' while it waits for the PPID.
ALTER TABLE posts ADD COLUMN info_category TEXT NOT NULL DEFAULT ''
    CHECK (info_category IN ('', 'berkala', 'serta_merta', 'setiap_saat'));
ALTER TABLE posts ADD COLUMN legal_basis TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN classification_status TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (classification_status IN ('proposed', 'confirmed'));
ALTER TABLE posts ADD COLUMN classified_by INTEGER REFERENCES users(id);
ALTER TABLE posts ADD COLUMN classified_at TEXT;
UPDATE posts SET classified_by = author_id, classified_at = created_at;

-- A recurring series plans at most recurrence_count occurrences in all
-- (read from the series' first post).
ALTER TABLE posts ADD COLUMN recurrence_count INTEGER NOT NULL DEFAULT 366;

-- Unit settings: who classifies (editors, or a PPID officer of the unit or
-- above), and whether posts may recur hourly (default: at most daily).
ALTER TABLE units ADD COLUMN classification_by TEXT NOT NULL DEFAULT 'editor'
    CHECK (classification_by IN ('editor', 'ppid'));
ALTER TABLE units ADD COLUMN allow_hourly INTEGER NOT NULL DEFAULT 0;
