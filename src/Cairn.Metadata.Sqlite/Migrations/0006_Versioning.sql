-- Versioning. buckets.versioning: NULL (never enabled), 'Enabled' or 'Suspended'.
-- objects keeps one row per key, the key's current version, which may now be a delete marker
-- (delete_marker = 1: size 0, empty etag, no body); listings of keys skip markers.
-- object_versions holds the noncurrent versions and markers. version_seq orders a key's versions:
-- the current row's is above every noncurrent one's (a new version takes the current's + 1, and
-- removing the current promotes the highest noncurrent one), so (key, version_seq DESC) over both
-- tables is S3's version order. A key with any version has a current row.
ALTER TABLE buckets ADD COLUMN versioning TEXT NULL;
ALTER TABLE objects ADD COLUMN delete_marker INTEGER NOT NULL DEFAULT 0;
ALTER TABLE objects ADD COLUMN version_seq INTEGER NOT NULL DEFAULT 1;

CREATE TABLE object_versions (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    key BLOB NOT NULL,
    version_seq INTEGER NOT NULL,
    version_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NULL,
    user_metadata TEXT NULL,
    checksums TEXT NULL,
    inline_body BLOB NULL,
    chunks BLOB NULL,
    part_sizes BLOB NULL,
    checksum_type TEXT NOT NULL DEFAULT 'FULL_OBJECT',
    tags TEXT NULL,
    delete_marker INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, key, version_seq)
);
CREATE UNIQUE INDEX object_versions_id ON object_versions (bucket, key, version_id);
