-- The change journal: the tables of SQLite migration 0008 (see there for what they mean). Writes
-- that append to a bucket's journal take a session advisory lock on the bucket before their
-- transaction begins (PostgresMetadataStore), so its numbers follow commit order without gaps.
CREATE TABLE journal_heads (
    bucket TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES buckets (name),
    last_seq BIGINT NOT NULL
);
CREATE TABLE journal (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    seq BIGINT NOT NULL,
    key BYTEA NOT NULL,
    version_id TEXT COLLATE "C" NOT NULL,
    change TEXT NOT NULL,
    etag TEXT NULL,
    size BIGINT NULL,
    last_modified BIGINT NULL,
    delete_marker INTEGER NULL,
    tags TEXT NULL,
    PRIMARY KEY (bucket, seq)
);
