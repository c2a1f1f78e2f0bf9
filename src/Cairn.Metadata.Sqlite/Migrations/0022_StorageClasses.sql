-- The cold tier a lifecycle transition moved a version's bytes to (issue 13), by the name a rule's
-- StorageClass gives it; NULL while the bytes are in the hot store (STANDARD). Where the bytes live
-- is not part of the version's manifest, so setting it changes no tree.
ALTER TABLE objects ADD COLUMN storage_class TEXT NULL;
ALTER TABLE object_versions ADD COLUMN storage_class TEXT NULL;
