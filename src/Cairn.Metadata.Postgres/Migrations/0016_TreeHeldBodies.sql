-- SQLite migration 0016 on PostgreSQL (see there): removed inline bodies a bucket's tree may still name.
ALTER TABLE buckets ADD COLUMN holds_removed_bodies INTEGER NOT NULL DEFAULT 0;
UPDATE buckets SET holds_removed_bodies = 1 WHERE name IN (SELECT bucket FROM bucket_trees);
CREATE TABLE tree_held_bodies (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    removed_seq BIGINT NOT NULL,
    key BYTEA NOT NULL,
    version_id TEXT COLLATE "C" NOT NULL,
    hash BYTEA NOT NULL,
    body BYTEA NOT NULL,
    PRIMARY KEY (bucket, removed_seq, key, version_id)
);
ALTER TABLE tree_held_bodies ALTER COLUMN body SET STORAGE EXTERNAL;
CREATE INDEX tree_held_bodies_hash ON tree_held_bodies (bucket, hash);
