-- Each part's checksums for an object made by CompleteMultipartUpload with a checksum algorithm
-- (GetObjectAttributes' ObjectParts): a JSON array, one object of algorithm to base64 value per
-- part, in order; NULL otherwise.
ALTER TABLE objects ADD COLUMN part_checksums TEXT NULL;
ALTER TABLE object_versions ADD COLUMN part_checksums TEXT NULL;
