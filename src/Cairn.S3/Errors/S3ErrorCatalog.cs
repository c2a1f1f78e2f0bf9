namespace Cairn.S3.Errors;

/// <summary>HTTP status and default message of every <see cref="S3ErrorCode"/>, in one table.</summary>
/// <remarks>https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList</remarks>
public static class S3ErrorCatalog
{
    private static readonly Dictionary<S3ErrorCode, (int Status, string Message)> Entries = new()
    {
        [S3ErrorCode.AccessControlListNotSupported] = (400, "The bucket does not allow ACLs"),
        [S3ErrorCode.AccessDenied] = (403, "Access Denied"),
        [S3ErrorCode.AuthorizationHeaderMalformed] = (400, "The authorization header is malformed."),
        [S3ErrorCode.AuthorizationQueryParametersError] = (400, "Error parsing the X-Amz-Credential parameter."),
        [S3ErrorCode.BadDigest] = (400, "The Content-MD5 you specified did not match what we received."),
        [S3ErrorCode.BadRequest] = (400, "Bad Request"),
        [S3ErrorCode.AccessForbidden] = (403, "CORSResponse: This CORS request is not allowed."),
        [S3ErrorCode.NoSuchCORSConfiguration] = (404, "The CORS configuration does not exist"),
        [S3ErrorCode.BucketAlreadyExists] = (409, "The requested bucket name is not available."),
        [S3ErrorCode.BucketAlreadyOwnedByYou] = (409, "Your previous request to create the named bucket succeeded and you already own it."),
        [S3ErrorCode.BucketNotEmpty] = (409, "The bucket you tried to delete is not empty."),
        [S3ErrorCode.ConditionalRequestConflict] = (409, "A conflicting operation occurred. If using PutObject you can retry the request."),
        [S3ErrorCode.EntityTooLarge] = (400, "Your proposed upload exceeds the maximum allowed object size."),
        [S3ErrorCode.EntityTooSmall] = (400, "Your proposed upload is smaller than the minimum allowed object size."),
        [S3ErrorCode.ExpiredToken] = (400, "The provided token has expired."),
        [S3ErrorCode.IllegalLocationConstraintException] = (400, "The location constraint is incompatible with the region this request was sent to."),
        [S3ErrorCode.IncompleteBody] = (400, "You did not provide the number of bytes specified by the Content-Length HTTP header."),
        [S3ErrorCode.IncorrectNumberOfFilesInPostRequest] = (400, "POST requires exactly one file upload per request."),
        [S3ErrorCode.InternalError] = (500, "We encountered an internal error. Please try again."),
        [S3ErrorCode.InvalidAccessKeyId] = (403, "The AWS access key ID you provided does not exist in our records."),
        [S3ErrorCode.InvalidArgument] = (400, "Invalid Argument"),
        [S3ErrorCode.InvalidBucketName] = (400, "The specified bucket is not valid."),
        [S3ErrorCode.InvalidBucketState] = (409, "The request is not valid with the current state of the bucket."),
        [S3ErrorCode.InvalidChunkSizeError] = (400, "Only the last chunk is allowed to have a size less than 8192 bytes."),
        [S3ErrorCode.InvalidDigest] = (400, "The Content-MD5 you specified is not valid."),
        [S3ErrorCode.InvalidLocationConstraint] = (400, "The specified location constraint is not valid."),
        [S3ErrorCode.InvalidPart] = (400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag."),
        [S3ErrorCode.InvalidPartOrder] = (400, "The list of parts was not in ascending order. The parts list must be specified in order by part number."),
        [S3ErrorCode.InvalidPartNumber] = (416, "The requested partnumber is not satisfiable"),
        [S3ErrorCode.InvalidPolicyDocument] = (400, "The content of the form does not meet the conditions specified in the policy document."),
        [S3ErrorCode.InvalidRange] = (416, "The requested range is not satisfiable."),
        [S3ErrorCode.InvalidRequest] = (400, "Invalid Request"),
        [S3ErrorCode.InvalidStorageClass] = (400, "The storage class you specified is not valid."),
        [S3ErrorCode.InvalidTag] = (400, "The tag provided was not a valid tag. This error can occur if the tag did not pass input validation."),
        [S3ErrorCode.KeyTooLongError] = (400, "Your key is too long."),
        [S3ErrorCode.MalformedPOSTRequest] = (400, "The body of your POST request is not well-formed multipart/form-data."),
        [S3ErrorCode.MalformedTrailerError] = (400, "The request contained trailing data that was not well-formed or did not conform to our published schema."),
        [S3ErrorCode.MalformedACLError] = (400, "The XML you provided was not well-formed or did not validate against our published schema."),
        [S3ErrorCode.NoSuchPublicAccessBlockConfiguration] = (404, "The public access block configuration was not found"),
        [S3ErrorCode.MalformedPolicy] = (400, "Policies must be valid JSON and the first byte must be '{'"),
        [S3ErrorCode.NoSuchBucketPolicy] = (404, "The bucket policy does not exist"),
        [S3ErrorCode.MalformedXML] = (400, "The XML you provided was not well-formed or did not validate against our published schema."),
        [S3ErrorCode.MaxMessageLengthExceeded] = (400, "Your request was too big."),
        [S3ErrorCode.MaxPostPreDataLengthExceededError] = (400, "Your POST request fields preceding the upload file were too large."),
        [S3ErrorCode.MetadataTooLarge] = (400, "Your metadata headers exceed the maximum allowed metadata size."),
        [S3ErrorCode.MethodNotAllowed] = (405, "The specified method is not allowed against this resource."),
        [S3ErrorCode.MissingContentLength] = (411, "You must provide the Content-Length HTTP header."),
        [S3ErrorCode.MissingRequestBodyError] = (400, "Request Body is empty."),
        [S3ErrorCode.MissingSecurityHeader] = (400, "Your request is missing a required header."),
        [S3ErrorCode.NoSuchBucket] = (404, "The specified bucket does not exist."),
        [S3ErrorCode.NoSuchConfiguration] = (404, "The specified configuration does not exist."),
        [S3ErrorCode.NoSuchKey] = (404, "The specified key does not exist."),
        [S3ErrorCode.NoSuchLifecycleConfiguration] = (404, "The lifecycle configuration does not exist"),
        [S3ErrorCode.NoSuchObjectLockConfiguration] = (404, "The specified object does not have a ObjectLock configuration"),
        [S3ErrorCode.NoSuchTagSet] = (404, "The TagSet does not exist"),
        [S3ErrorCode.NoSuchVersion] = (404, "The specified version does not exist."),
        [S3ErrorCode.NoSuchUpload] = (404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."),
        [S3ErrorCode.NotImplemented] = (501, "A header or query you provided implies functionality that is not implemented."),
        [S3ErrorCode.NotModified] = (304, "Not Modified"),
        [S3ErrorCode.ObjectLockConfigurationNotFoundError] = (404, "Object Lock configuration does not exist for this bucket"),
        [S3ErrorCode.PreconditionFailed] = (412, "At least one of the pre-conditions you specified did not hold."),
        [S3ErrorCode.RequestTimeout] = (400, "Your socket connection to the server was not read from or written to within the timeout period."),
        [S3ErrorCode.RequestTimeTooSkewed] = (403, "The difference between the request time and the server's time is too large."),
        [S3ErrorCode.ServerSideEncryptionConfigurationNotFoundError] = (404, "The server side encryption configuration was not found"),
        [S3ErrorCode.ServiceUnavailable] = (503, "Service is unable to handle request."),
        [S3ErrorCode.SignatureDoesNotMatch] = (403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
        [S3ErrorCode.SlowDown] = (503, "Please reduce your request rate."),
        [S3ErrorCode.TooManyConfigurations] = (400, "You are attempting to create a new configuration but have already reached the 1,000-configuration limit."),
        [S3ErrorCode.UnexpectedContent] = (400, "This request does not support content."),
        [S3ErrorCode.XAmzContentSHA256Mismatch] = (400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
    };

    /// <summary>HTTP status of <paramref name="code"/>.</summary>
    public static int StatusOf(S3ErrorCode code) => Entries[code].Status;

    /// <summary>Default message of <paramref name="code"/>.</summary>
    public static string MessageOf(S3ErrorCode code) => Entries[code].Message;

    /// <summary>True when the catalog has an entry for <paramref name="code"/> (guarded by a test for every member).</summary>
    public static bool Contains(S3ErrorCode code) => Entries.ContainsKey(code);
}
