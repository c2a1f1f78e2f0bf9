-- The verifiable bucket's tables: those of SQLite migration 0011 (see there for what they mean).
CREATE TABLE bucket_trees (
    bucket TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES buckets (name),
    seq BIGINT NOT NULL,
    commit_cid BYTEA NOT NULL,
    root_cid BYTEA NOT NULL,
    committed_at BIGINT NOT NULL
);
CREATE TABLE tree_commits (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    seq BIGINT NOT NULL,
    commit_cid BYTEA NOT NULL,
    root_cid BYTEA NOT NULL,
    committed_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, seq)
);
CREATE TABLE tree_segments (
    name TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name)
);
CREATE INDEX tree_segments_bucket ON tree_segments (bucket);
CREATE TABLE tree_blocks (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    cid BYTEA NOT NULL,
    segment TEXT COLLATE "C" NOT NULL REFERENCES tree_segments (name),
    block_offset BIGINT NOT NULL,
    block_length INTEGER NOT NULL,
    PRIMARY KEY (bucket, cid)
);
