-- A row's inline body moves to the end of the row. SQLite stores a row's values in column order
-- and keeps only the first few hundred bytes of a row larger than a page in its b-tree page; the
-- rest goes to overflow pages. With a 4 KiB body in the middle of the row, every column after it
-- (chunks, tags, the lock, inline_sha256, storage_class, encryption) sat on an overflow page, so a
-- read of those columns alone (a listing, a tree fold, a lifecycle pass) read a page it did
-- not need. SQLite cannot move a column, so both tables are rebuilt (the documented way: new table,
-- copy, drop, rename) with the same columns, constraints and indexes; statements name their
-- columns, so none changes.
CREATE TABLE objects_reordered (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NULL,
    user_metadata TEXT NULL,
    checksums TEXT NULL,
    chunks BLOB NULL,
    part_sizes BLOB NULL,
    checksum_type TEXT NOT NULL DEFAULT 'FULL_OBJECT',
    tags TEXT,
    delete_marker INTEGER NOT NULL DEFAULT 0,
    version_seq INTEGER NOT NULL DEFAULT 1,
    part_checksums TEXT NULL,
    lock_mode TEXT NULL,
    lock_until INTEGER NULL,
    legal_hold INTEGER NULL,
    inline_sha256 BLOB NULL,
    storage_class TEXT NULL,
    encryption BLOB NULL,
    inline_body BLOB NULL,
    PRIMARY KEY (bucket, key)
);
INSERT INTO objects_reordered (bucket, key, version_id, size, etag, last_modified, headers, user_metadata, checksums, chunks, part_sizes,
    checksum_type, tags, delete_marker, version_seq, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, encryption,
    inline_body)
SELECT bucket, key, version_id, size, etag, last_modified, headers, user_metadata, checksums, chunks, part_sizes,
    checksum_type, tags, delete_marker, version_seq, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, encryption,
    inline_body
FROM objects;
DROP TABLE objects;
ALTER TABLE objects_reordered RENAME TO objects;

CREATE TABLE object_versions_reordered (
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
    chunks BLOB NULL,
    part_sizes BLOB NULL,
    checksum_type TEXT NOT NULL DEFAULT 'FULL_OBJECT',
    tags TEXT NULL,
    delete_marker INTEGER NOT NULL DEFAULT 0,
    part_checksums TEXT NULL,
    lock_mode TEXT NULL,
    lock_until INTEGER NULL,
    legal_hold INTEGER NULL,
    inline_sha256 BLOB NULL,
    storage_class TEXT NULL,
    encryption BLOB NULL,
    inline_body BLOB NULL,
    PRIMARY KEY (bucket, key, version_seq)
);
INSERT INTO object_versions_reordered (bucket, key, version_seq, version_id, size, etag, last_modified, headers, user_metadata, checksums, chunks,
    part_sizes, checksum_type, tags, delete_marker, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, encryption,
    inline_body)
SELECT bucket, key, version_seq, version_id, size, etag, last_modified, headers, user_metadata, checksums, chunks,
    part_sizes, checksum_type, tags, delete_marker, part_checksums, lock_mode, lock_until, legal_hold, inline_sha256, storage_class, encryption,
    inline_body
FROM object_versions;
DROP TABLE object_versions;
ALTER TABLE object_versions_reordered RENAME TO object_versions;
CREATE UNIQUE INDEX object_versions_id ON object_versions (bucket, key, version_id);
