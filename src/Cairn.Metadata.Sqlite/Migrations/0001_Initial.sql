-- Cairn catalog, SQLite. Conventions shared with every provider (SqlMetadataStore):
-- keys and chunk addresses are BLOBs (memcmp order = UTF-8 byte order = S3 order),
-- times are unix milliseconds, upload ids are text.

CREATE TABLE buckets (
    name TEXT NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL,
    region TEXT NOT NULL
);

-- One row per key (the latest version) until versioning lands; version_id is kept for it.
-- The body is inline_body, or chunks (format byte 1, then 32-byte hash + 4-byte length per chunk),
-- or neither (empty body). Listing reads only the leading columns.
CREATE TABLE objects (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    headers TEXT NULL,
    user_metadata TEXT NULL,
    checksums TEXT NULL,
    inline_body BLOB NULL,
    chunks BLOB NULL,
    PRIMARY KEY (bucket, key)
);

-- A committed chunk: exists while referenced, or while its blob waits in delete_queue at zero.
CREATE TABLE chunks (
    hash BLOB NOT NULL PRIMARY KEY,
    blob_name TEXT NOT NULL,
    length INTEGER NOT NULL,
    refcount INTEGER NOT NULL
);
CREATE INDEX chunks_blob_name ON chunks (blob_name);

-- Uploads in progress and their reservations: blob_name is the blob the upload writes,
-- or NULL for a pin on a committed chunk it reuses.
CREATE TABLE uploads (
    id TEXT NOT NULL PRIMARY KEY,
    deadline INTEGER NOT NULL
);
CREATE INDEX uploads_deadline ON uploads (deadline);

CREATE TABLE upload_chunks (
    upload_id TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    hash BLOB NOT NULL,
    length INTEGER NOT NULL,
    blob_name TEXT NULL,
    PRIMARY KEY (upload_id, hash)
);
CREATE INDEX upload_chunks_hash ON upload_chunks (hash);
CREATE INDEX upload_chunks_blob_name ON upload_chunks (blob_name);

-- Blobs to delete, written in the transaction that drops the last reference.
CREATE TABLE delete_queue (
    blob_name TEXT NOT NULL PRIMARY KEY,
    chunk_hash BLOB NULL,
    not_before INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NULL
);
CREATE INDEX delete_queue_not_before ON delete_queue (not_before);
