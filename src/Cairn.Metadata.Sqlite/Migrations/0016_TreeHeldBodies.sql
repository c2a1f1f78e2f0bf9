-- Inline bodies a bucket's tree may still name after their versions are removed for good. A tree
-- commit names a version's inline body by its hash; the body lives in the version's row, so without
-- this an older retained root (or the latest, before the next fold) could not be exported once the
-- version was overwritten or deleted. Chunked bodies are held by their segments' references
-- (tree_segment_chunks); an inline body is held here instead, copied when its row is removed: a removal
-- pays one statement, where a reference per manifest would cost every commit a row per new version.
--
-- buckets.holds_removed_bodies: set before a bucket's first fold reads it (under the bucket's
-- journal turn), so every removal that a commit can have missed sees it. A bucket whose tree was
-- recorded already holds from now on.
--
-- tree_held_bodies: one row per removed version with an inline body (and its hash; rows written
-- before migration 0014 have none and are not held). removed_seq is the journal number of its
-- removal (an import's removals: the last number it appends). A collection drops a row once its
-- removal is folded (removed_seq <= the commit recorded) and no kept commit names its hash.
ALTER TABLE buckets ADD COLUMN holds_removed_bodies INTEGER NOT NULL DEFAULT 0;
UPDATE buckets SET holds_removed_bodies = 1 WHERE name IN (SELECT bucket FROM bucket_trees);
CREATE TABLE tree_held_bodies (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    removed_seq INTEGER NOT NULL,
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    hash BLOB NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (bucket, removed_seq, key, version_id)
);
CREATE INDEX tree_held_bodies_hash ON tree_held_bodies (bucket, hash);
