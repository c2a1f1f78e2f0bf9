-- Tags: a JSON object of tag key to value on a version (PutObjectTagging, x-amz-tagging) and on a
-- bucket (PutBucketTagging); NULL when there are none. Kept as text, as every other JSON column.
ALTER TABLE objects ADD COLUMN tags TEXT;
ALTER TABLE buckets ADD COLUMN tags TEXT;
