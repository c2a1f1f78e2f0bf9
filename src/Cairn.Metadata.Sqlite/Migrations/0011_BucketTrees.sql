-- The verifiable bucket: each bucket's Merkle Search Tree, folded from its change journal by the
-- committer. bucket_trees holds the latest commit (the journal number it folded up to, the commit
-- block's CID and the tree root's); tree_commits every recorded commit. The blocks (tree nodes,
-- manifests, inline bodies, commits) live in blobs of the blob store, tree_segments, each one a CAR
-- file; tree_blocks says where each block of a bucket is.
CREATE TABLE bucket_trees (
    bucket TEXT NOT NULL PRIMARY KEY REFERENCES buckets (name),
    seq INTEGER NOT NULL,
    commit_cid BLOB NOT NULL,
    root_cid BLOB NOT NULL,
    committed_at INTEGER NOT NULL
);
CREATE TABLE tree_commits (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    seq INTEGER NOT NULL,
    commit_cid BLOB NOT NULL,
    root_cid BLOB NOT NULL,
    committed_at INTEGER NOT NULL,
    PRIMARY KEY (bucket, seq)
);
CREATE TABLE tree_segments (
    name TEXT NOT NULL PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES buckets (name)
);
CREATE INDEX tree_segments_bucket ON tree_segments (bucket);
CREATE TABLE tree_blocks (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    cid BLOB NOT NULL,
    segment TEXT NOT NULL REFERENCES tree_segments (name),
    block_offset INTEGER NOT NULL,
    block_length INTEGER NOT NULL,
    PRIMARY KEY (bucket, cid)
);
