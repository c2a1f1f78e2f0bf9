-- A bucket's configurations (issues 13 and 14: lifecycle, inventory, and later policy, CORS and
-- encryption): one document per kind and id (id '' for a kind a bucket has at most one of; an
-- inventory configuration's Id), as the S3 front end stores it (validated, in its own canonical
-- form; the catalog does not read it). Removed with the bucket. The index serves the workers,
-- which look for every bucket with a configuration of one kind.
CREATE TABLE bucket_configurations (
    bucket TEXT NOT NULL REFERENCES buckets (name),
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    document TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (bucket, kind, id)
);
CREATE INDEX bucket_configurations_kind ON bucket_configurations (kind, bucket, id);
