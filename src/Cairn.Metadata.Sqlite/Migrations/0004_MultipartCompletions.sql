-- Completed multipart uploads, remembered for a bounded time (Engine:CompletedUploadRetention) so
-- that CompleteMultipartUpload sent again (an SDK retrying after a lost answer) gets the first
-- answer again. Written in the transaction that completes the upload; removed by the
-- abandoned-upload cleaner once older than the retention, and with the bucket (no ON DELETE
-- CASCADE: a bucket deletion that forgot them fails on the foreign key).
-- parts_digest: SHA-256 of the listed part numbers and ETags (CompletedMultipartUploadRecord.DigestOf),
-- so that only a Complete listing the same parts is taken for a retry.
CREATE TABLE multipart_completions (
    upload_id TEXT NOT NULL PRIMARY KEY,
    bucket TEXT NOT NULL REFERENCES buckets (name),
    key BLOB NOT NULL,
    version_id TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    checksums TEXT NULL,
    checksum_type TEXT NOT NULL,
    parts_digest BLOB NOT NULL,
    completed INTEGER NOT NULL
);
CREATE INDEX multipart_completions_completed ON multipart_completions (completed, upload_id);
CREATE INDEX multipart_completions_bucket ON multipart_completions (bucket);
