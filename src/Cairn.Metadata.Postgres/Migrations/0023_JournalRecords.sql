-- What journal archiving (issue 13) needs from each entry: when it was committed (the writer's clock,
-- Unix ms; NULL for entries written before this), and, while the store keeps records in its journal
-- (SqlMetadataStore.JournalRecords), a Put's whole version (JournalRecordFormat), so that an
-- archive of the entries alone rebuilds every version, bodies kept inline included.
ALTER TABLE journal ADD COLUMN committed_at BIGINT NULL;
ALTER TABLE journal ADD COLUMN record BYTEA NULL;
