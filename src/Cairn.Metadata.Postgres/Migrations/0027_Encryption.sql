-- How a version's body, or a multipart upload's parts, are encrypted at rest: the engine's sealed
-- data-key envelope, opaque bytes to the catalog; NULL for a body stored as sent (every row made
-- before encryption existed).
ALTER TABLE objects ADD COLUMN encryption BYTEA NULL;
ALTER TABLE object_versions ADD COLUMN encryption BYTEA NULL;
ALTER TABLE multipart_uploads ADD COLUMN encryption BYTEA NULL;
