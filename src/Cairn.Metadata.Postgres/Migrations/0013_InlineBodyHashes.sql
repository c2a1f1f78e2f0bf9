-- SQLite migration 0014 on PostgreSQL (see there): the SHA-256 of an inline body, with its row.
ALTER TABLE objects ADD COLUMN inline_sha256 BYTEA NULL;
ALTER TABLE object_versions ADD COLUMN inline_sha256 BYTEA NULL;
