-- The SHA-256 of an inline body, written with the row (NULL for no inline body, and for rows written
-- before this). The tree committer names an inline body by it (the raw CID of its bytes) without
-- reading the body: reading every changed key's inline body, a 4 KiB value on overflow pages, and
-- hashing it again was the largest part of a fold's reading.
ALTER TABLE objects ADD COLUMN inline_sha256 BLOB NULL;
ALTER TABLE object_versions ADD COLUMN inline_sha256 BLOB NULL;
