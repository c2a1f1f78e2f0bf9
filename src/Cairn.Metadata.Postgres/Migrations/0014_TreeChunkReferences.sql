-- SQLite migration 0015 on PostgreSQL (see there): the references a tree's segments hold on chunks.
CREATE TABLE tree_segment_chunks (
    segment TEXT COLLATE "C" NOT NULL REFERENCES tree_segments (name),
    hash BYTEA NOT NULL,
    uses INTEGER NOT NULL,
    PRIMARY KEY (segment, hash)
);
