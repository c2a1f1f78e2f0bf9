-- Each part's checksums for an object made by CompleteMultipartUpload with a checksum algorithm:
-- the columns of SQLite migration 0009.
ALTER TABLE objects ADD COLUMN part_checksums TEXT NULL;
ALTER TABLE object_versions ADD COLUMN part_checksums TEXT NULL;
