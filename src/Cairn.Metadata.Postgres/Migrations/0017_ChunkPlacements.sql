-- A chunk's placement as data (issue 12): its bytes are stored_length bytes at blob_offset in
-- blob_name, encoded by codec (0: as is; 1: one zstd frame). Decoding them gives the chunk's length
-- bytes, whose SHA-256 is its address. Every read goes through these columns; nothing assumes one
-- chunk is one whole blob. A reservation (upload_chunks) records the placement its writer chose,
-- and the commit that adopts the chunk copies it. Rows from before were whole blobs, stored as is.
ALTER TABLE chunks
    ADD COLUMN blob_offset BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN stored_length BIGINT NULL,
    ADD COLUMN codec SMALLINT NOT NULL DEFAULT 0;
UPDATE chunks SET stored_length = length;
ALTER TABLE chunks ALTER COLUMN stored_length SET NOT NULL;
ALTER TABLE upload_chunks
    ADD COLUMN blob_offset BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN stored_length BIGINT NULL,
    ADD COLUMN codec SMALLINT NOT NULL DEFAULT 0;
UPDATE upload_chunks SET stored_length = length;
ALTER TABLE upload_chunks ALTER COLUMN stored_length SET NOT NULL;
