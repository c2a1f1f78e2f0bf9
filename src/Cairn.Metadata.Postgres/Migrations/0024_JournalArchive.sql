-- Journal archiving (issue 13): for each bucket, the last journal number whose archive upload is
-- confirmed, and when. Goes with the bucket (and its journal).
CREATE TABLE journal_archive (
    bucket TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES buckets (name),
    archived_seq BIGINT NOT NULL,
    archived_at BIGINT NOT NULL
);
-- The archive lineage this catalog writes (one row): archive paths start with it, so a catalog
-- rebuilt by `cairn restore`, whose journal starts again at 1, never writes over the segments it
-- was rebuilt from. The archiver makes it on its first run; a restore makes a new one.
CREATE TABLE archive_lineage (
    id TEXT NOT NULL PRIMARY KEY,
    created_at BIGINT NOT NULL
);
