-- The change journal: one entry per change to a bucket's object rows, written in the change's
-- transaction, numbered 1, 2, 3, ... per bucket in commit order (journal_heads holds each bucket's
-- last number). change: 'put' (a version or delete marker placed on top of its key's versions),
-- 'remove' (a version or marker removed for good), 'tags' (a version's tags replaced). Replaying a
-- bucket's entries in order from empty gives its keys, versions, markers and tags.
CREATE TABLE journal_heads (
    bucket TEXT NOT NULL PRIMARY KEY REFERENCES buckets (name),
    last_seq INTEGER NOT NULL
);
CREATE TABLE journal (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    seq INTEGER NOT NULL,
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    change TEXT NOT NULL,
    etag TEXT NULL,
    size INTEGER NULL,
    last_modified INTEGER NULL,
    delete_marker INTEGER NULL,
    tags TEXT NULL,
    PRIMARY KEY (bucket, seq)
);
