-- Object Lock: the columns of SQLite migration 0010 (see there for what they mean).
ALTER TABLE buckets ADD COLUMN object_lock INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN default_retention_mode TEXT NULL;
ALTER TABLE buckets ADD COLUMN default_retention_days INTEGER NULL;
ALTER TABLE buckets ADD COLUMN default_retention_years INTEGER NULL;
ALTER TABLE objects ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE objects ADD COLUMN lock_until BIGINT NULL;
ALTER TABLE objects ADD COLUMN legal_hold INTEGER NULL;
ALTER TABLE object_versions ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE object_versions ADD COLUMN lock_until BIGINT NULL;
ALTER TABLE object_versions ADD COLUMN legal_hold INTEGER NULL;
ALTER TABLE multipart_uploads ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE multipart_uploads ADD COLUMN lock_until BIGINT NULL;
ALTER TABLE multipart_uploads ADD COLUMN legal_hold INTEGER NULL;
-- The journal records each version's lock state with a 'put', and a new change, 'lock' (a
-- version's retention or legal hold replaced), with the new state.
ALTER TABLE journal ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE journal ADD COLUMN lock_until BIGINT NULL;
ALTER TABLE journal ADD COLUMN legal_hold INTEGER NULL;
