-- Inventory reports (issue 13): one row per report written (its manifest is in the destination
-- bucket), with the journal number of the source bucket it lists; one row per row group of its
-- data files (CSV files count as one group each) with the first and last key it holds, so a reader
-- can tell which files and groups cover a key range without opening them. Removed with the source
-- bucket (the files stay in the destination, as any object does).
CREATE TABLE inventory_reports (
    bucket TEXT COLLATE "C" NOT NULL REFERENCES buckets (name),
    configuration_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    journal_seq BIGINT NOT NULL,
    destination_bucket TEXT COLLATE "C" NOT NULL,
    manifest_key TEXT COLLATE "C" NOT NULL,
    format TEXT COLLATE "C" NOT NULL,
    object_count BIGINT NOT NULL,
    PRIMARY KEY (bucket, configuration_id, created_at)
);
CREATE TABLE inventory_report_groups (
    bucket TEXT COLLATE "C" NOT NULL,
    configuration_id TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    file_key TEXT COLLATE "C" NOT NULL,
    row_group BIGINT NOT NULL,
    first_key BYTEA NOT NULL,
    last_key BYTEA NOT NULL,
    row_count BIGINT NOT NULL,
    PRIMARY KEY (bucket, configuration_id, created_at, file_key, row_group),
    FOREIGN KEY (bucket, configuration_id, created_at) REFERENCES inventory_reports (bucket, configuration_id, created_at)
);
