-- Tree blocks are no longer indexed one catalog row each: a segment keeps every block's links'
-- places next to the block (its links block), so a tree is read from its commit down without the
-- catalog, and a fold writes one catalog row (its segment, with the commit block's place), not one
-- per block (those rows, written at random into one index inside the writer PUTs wait for, were
-- most of a fold's cost). Trees recorded before this have no places: they are forgotten (their
-- segments queued for deletion) and the committer folds each bucket again from its current state.
INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts)
    SELECT name, NULL, 0, 0 FROM tree_segments WHERE true ON CONFLICT (blob_name) DO NOTHING;
DELETE FROM tree_pins;
DROP TABLE tree_blocks;
DELETE FROM tree_commits;
DELETE FROM bucket_trees;
DROP TABLE tree_segments;
-- One row per segment: the commit whose fold wrote it (a bucket's segments are told apart by that
-- journal number; every stored block's place names its segment so) and where its commit block is.
CREATE TABLE tree_segments (
    name TEXT NOT NULL PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES buckets (name),
    seq INTEGER NOT NULL,
    commit_offset INTEGER NOT NULL,
    commit_length INTEGER NOT NULL,
    commit_links_length INTEGER NOT NULL
);
CREATE UNIQUE INDEX tree_segments_bucket_seq ON tree_segments (bucket, seq);
