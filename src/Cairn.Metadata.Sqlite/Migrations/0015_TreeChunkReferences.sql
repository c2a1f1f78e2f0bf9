-- References a bucket's tree holds on chunks: each segment holds one per use of a chunk by the
-- manifests stored in it (taken when its commit is recorded), so a retained older root keeps the
-- chunked bodies it names after their versions are removed for good; dropping the segment (a
-- collection, or deleting the bucket) releases them like any removed body's.
CREATE TABLE tree_segment_chunks (
    segment TEXT NOT NULL REFERENCES tree_segments (name),
    hash BLOB NOT NULL,
    uses INTEGER NOT NULL,
    PRIMARY KEY (segment, hash)
);
