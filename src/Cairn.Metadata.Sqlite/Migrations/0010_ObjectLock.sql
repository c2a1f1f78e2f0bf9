-- Object Lock. buckets.object_lock: 1 once lock is enabled (never undone; versioning stays
-- Enabled). default_retention_*: the bucket's default retention (mode GOVERNANCE or COMPLIANCE and
-- one of days or years), NULL when it has none.
-- Each version's lock state, in objects and object_versions alike: lock_mode ('GOVERNANCE' or
-- 'COMPLIANCE') with lock_until (Unix milliseconds), both NULL without retention; legal_hold NULL
-- (never set), 0 (OFF) or 1 (ON).
-- multipart_uploads keeps the lock state CreateMultipartUpload asked for; the completed object gets it.
ALTER TABLE buckets ADD COLUMN object_lock INTEGER NOT NULL DEFAULT 0;
ALTER TABLE buckets ADD COLUMN default_retention_mode TEXT NULL;
ALTER TABLE buckets ADD COLUMN default_retention_days INTEGER NULL;
ALTER TABLE buckets ADD COLUMN default_retention_years INTEGER NULL;
ALTER TABLE objects ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE objects ADD COLUMN lock_until INTEGER NULL;
ALTER TABLE objects ADD COLUMN legal_hold INTEGER NULL;
ALTER TABLE object_versions ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE object_versions ADD COLUMN lock_until INTEGER NULL;
ALTER TABLE object_versions ADD COLUMN legal_hold INTEGER NULL;
ALTER TABLE multipart_uploads ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE multipart_uploads ADD COLUMN lock_until INTEGER NULL;
ALTER TABLE multipart_uploads ADD COLUMN legal_hold INTEGER NULL;
-- The journal records each version's lock state with a 'put', and a new change, 'lock' (a
-- version's retention or legal hold replaced), with the new state.
ALTER TABLE journal ADD COLUMN lock_mode TEXT NULL;
ALTER TABLE journal ADD COLUMN lock_until INTEGER NULL;
ALTER TABLE journal ADD COLUMN legal_hold INTEGER NULL;
