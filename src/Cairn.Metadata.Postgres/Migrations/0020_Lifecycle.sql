-- The lifecycle worker's state (issue 13). lifecycle_progress: for each bucket with a lifecycle
-- configuration, the journal number evaluated up to and the configuration's time (updated_at of
-- its bucket_configurations row) it was evaluated under. lifecycle_due: for each key that will need
-- the worker again (an expiration ahead, or due now), when; a key with nothing ahead has no row.
-- The index serves the worker's question, what is due by now, across buckets. Both go with the bucket.
CREATE TABLE lifecycle_progress (
    bucket TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES buckets (name),
    configured_at BIGINT NOT NULL,
    journal_seq BIGINT NOT NULL
);
CREATE TABLE lifecycle_due (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    key BYTEA NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX lifecycle_due_at ON lifecycle_due (due_at, bucket, key);
