-- Tags of a multipart upload (x-amz-tagging on CreateMultipartUpload): a JSON object of tag key to
-- value, as objects.tags, that the object CompleteMultipartUpload makes carries; NULL when none.
ALTER TABLE multipart_uploads ADD COLUMN tags TEXT;
