-- SQLite migration 0013, on PostgreSQL (see there for why): block places move into the segments,
-- trees recorded before are forgotten and folded again.
INSERT INTO delete_queue (blob_name, chunk_hash, not_before, attempts)
    SELECT name, NULL, 0, 0 FROM tree_segments ON CONFLICT (blob_name) DO NOTHING;
DELETE FROM tree_pins;
DROP TABLE tree_blocks;
DELETE FROM tree_commits;
DELETE FROM bucket_trees;
DROP TABLE tree_segments;
CREATE TABLE tree_segments (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    seq BIGINT NOT NULL,
    commit_offset BIGINT NOT NULL,
    commit_length INTEGER NOT NULL,
    commit_links_length INTEGER NOT NULL
);
CREATE UNIQUE INDEX tree_segments_bucket_seq ON tree_segments (bucket, seq);
