-- Packs (issue 12): blobs holding many small chunks. A chunk row with pack_id places its bytes at
-- blob_offset in the pack's blob (blob_name is the pack's, for reads without a join). A pack is
-- registered before its first chunk is written; state 0 open (node appends to a local segment),
-- 1 sealed (data_length final), 2 stored (its blob is in the blob store). Live bytes are summed
-- from the chunk rows when asked, not kept as a counter.
--
-- A packed chunk whose count reaches zero stays as a row (dead space in the pack, removed by
-- compaction), and is never queued for deletion on its own: its blob is the whole pack's.
-- upload_chunks.pack_id: a reservation's writer appended the bytes to that pack; an upload that
-- ends without adopting them queues nothing.
CREATE TABLE packs (
    id TEXT NOT NULL PRIMARY KEY,
    blob_name TEXT NOT NULL UNIQUE,
    state INTEGER NOT NULL,
    node TEXT NULL,
    data_length INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    sealed_at INTEGER NULL
);
ALTER TABLE chunks ADD COLUMN pack_id TEXT NULL REFERENCES packs (id);
CREATE INDEX chunks_pack ON chunks (pack_id) WHERE pack_id IS NOT NULL;
ALTER TABLE upload_chunks ADD COLUMN pack_id TEXT NULL;
