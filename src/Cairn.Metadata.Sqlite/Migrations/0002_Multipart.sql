-- Multipart uploads, and what a completed one leaves on its object.

-- part_sizes: each part's size for an object made by CompleteMultipartUpload (format byte 1, then
-- one 8-byte big-endian size per part), NULL otherwise. Existing rows read back as a single-PUT
-- object: no part sizes, a FULL_OBJECT checksum.
ALTER TABLE objects ADD COLUMN part_sizes BLOB NULL;
ALTER TABLE objects ADD COLUMN checksum_type TEXT NOT NULL DEFAULT 'FULL_OBJECT';

-- An upload in progress. Listed by (bucket, key bytes, initiated, upload_id); upload ids compare
-- bytewise (SQLite's BINARY collation; a PostgreSQL schema declares the column COLLATE "C").
-- No ON DELETE CASCADE anywhere below: rows go only through the code that releases their chunk
-- references, so a forgotten release fails on the foreign key instead of leaking a count.
CREATE TABLE multipart_uploads (
    upload_id TEXT NOT NULL PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES buckets (name),
    key BLOB NOT NULL,
    initiated INTEGER NOT NULL,
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
    upload_id TEXT NOT NULL REFERENCES multipart_uploads (upload_id),
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    last_modified INTEGER NOT NULL,
    checksums TEXT NULL,
    chunks BLOB NULL,
    PRIMARY KEY (upload_id, part_number)
);
