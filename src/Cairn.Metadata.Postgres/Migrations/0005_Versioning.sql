-- Versioning: the tables and columns of SQLite migration 0006 (see there for what they mean).
-- buckets.versioning: NULL (never enabled), 'Enabled' or 'Suspended'. objects is each key's
-- current version, possibly a delete marker; object_versions the noncurrent ones; version_seq
-- orders a key's versions, the current row's highest.
ALTER TABLE buckets ADD COLUMN versioning TEXT NULL;
ALTER TABLE objects ADD COLUMN delete_marker INTEGER NOT NULL DEFAULT 0;
ALTER TABLE objects ADD COLUMN version_seq BIGINT NOT NULL DEFAULT 1;

CREATE TABLE object_versions (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    key BYTEA NOT NULL,
    version_seq BIGINT NOT NULL,
    version_id TEXT COLLATE "C" NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    headers TEXT NULL,
    user_metadata TEXT NULL,
    checksums TEXT NULL,
    inline_body BYTEA NULL,
    chunks BYTEA NULL,
    part_sizes BYTEA NULL,
    checksum_type TEXT NOT NULL DEFAULT 'FULL_OBJECT',
    tags TEXT NULL,
    delete_marker INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, key, version_seq)
);
CREATE UNIQUE INDEX object_versions_id ON object_versions (bucket, key, version_id);
