-- Cairn catalog, PostgreSQL: the tables, columns and indexes of the SQLite migrations 0001 and
-- 0002 in one script (a fresh provider has no version-1 databases to upgrade).
-- Conventions shared with every provider (SqlMetadataStore): keys, chunk addresses and bodies are
-- bytea, which compares like memcmp (UTF-8 byte order = S3 order); times are unix milliseconds in
-- BIGINT; ids are text. Text that is compared or ordered is COLLATE "C" (bytewise), as SQLite's
-- BINARY collation, whatever the database's default collation is.

CREATE TABLE buckets (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL,
    region TEXT NOT NULL
);

-- One row per key (the latest version) until versioning lands; version_id is kept for it.
-- The body is inline_body, or chunks (format byte 1, then 32-byte hash + 4-byte length per chunk),
-- or neither (empty body). part_sizes: each part's size for an object made by
-- CompleteMultipartUpload (format byte 1, then one 8-byte big-endian size per part), NULL otherwise.
CREATE TABLE objects (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    key BYTEA NOT NULL,
    version_id TEXT NOT NULL,
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
    PRIMARY KEY (bucket, key)
);

-- A committed chunk: exists while referenced, or while its blob waits in delete_queue at zero.
CREATE TABLE chunks (
    hash BYTEA NOT NULL PRIMARY KEY,
    blob_name TEXT COLLATE "C" NOT NULL,
    length BIGINT NOT NULL,
    refcount BIGINT NOT NULL
);
CREATE INDEX chunks_blob_name ON chunks (blob_name);

-- Uploads in progress and their reservations: blob_name is the blob the upload writes,
-- or NULL for a pin on a committed chunk it reuses.
CREATE TABLE uploads (
    id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    deadline BIGINT NOT NULL
);
CREATE INDEX uploads_deadline ON uploads (deadline);

CREATE TABLE upload_chunks (
    upload_id TEXT COLLATE "C" NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    hash BYTEA NOT NULL,
    length BIGINT NOT NULL,
    blob_name TEXT COLLATE "C" NULL,
    PRIMARY KEY (upload_id, hash)
);
CREATE INDEX upload_chunks_hash ON upload_chunks (hash);
CREATE INDEX upload_chunks_blob_name ON upload_chunks (blob_name);

-- Blobs to delete, written in the transaction that drops the last reference.
CREATE TABLE delete_queue (
    blob_name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    chunk_hash BYTEA NULL,
    not_before BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NULL
);
CREATE INDEX delete_queue_not_before ON delete_queue (not_before);

-- An upload in progress. Listed by (bucket, key bytes, initiated, upload_id); upload ids compare
-- bytewise (COLLATE "C").
-- No ON DELETE CASCADE anywhere below: rows go only through the code that releases their chunk
-- references, so a forgotten release fails on the foreign key instead of leaking a count.
CREATE TABLE multipart_uploads (
    upload_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    key BYTEA NOT NULL,
    initiated BIGINT NOT NULL,
    headers TEXT NULL,
    user_metadata TEXT NULL,
    checksum_algorithm TEXT NULL,
    checksum_type TEXT NULL
);
CREATE INDEX multipart_uploads_listing ON multipart_uploads (bucket, key, initiated, upload_id);
CREATE INDEX multipart_uploads_initiated ON multipart_uploads (initiated, upload_id);

-- A stored part. Its chunks (same packed format as objects.chunks) hold one reference each use,
-- from CommitPartAsync until the part is replaced, completed into an object, or aborted.
CREATE TABLE multipart_parts (
    upload_id TEXT COLLATE "C" NOT NULL REFERENCES multipart_uploads (upload_id),
    part_number INTEGER NOT NULL,
    size BIGINT NOT NULL,
    etag TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    checksums TEXT NULL,
    chunks BYTEA NULL,
    PRIMARY KEY (upload_id, part_number)
);
