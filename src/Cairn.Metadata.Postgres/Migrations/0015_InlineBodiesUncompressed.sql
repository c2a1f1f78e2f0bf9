-- Inline bodies are stored as they come, out of line but uncompressed (STORAGE EXTERNAL, not the
-- default EXTENDED): an object's body is often compressed already (images, archives, encrypted
-- data), and PostgreSQL tried pglz on every body of more than about 2 KB before giving up. Measured
-- with perf on 4 KiB PUTs at c64 (random bodies): pglz_compress was about 9 % of PostgreSQL's CPU.
-- SQLite stores bodies uncompressed too. Rows written before this migration keep their form; both
-- read back the same.
ALTER TABLE objects ALTER COLUMN inline_body SET STORAGE EXTERNAL;
ALTER TABLE object_versions ALTER COLUMN inline_body SET STORAGE EXTERNAL;
