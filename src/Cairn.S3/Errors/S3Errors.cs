namespace Cairn.S3.Errors;

/// <summary>Factories for the errors handlers raise (STYLE B4: no scattered <c>new S3Exception</c>).</summary>
public static partial class S3Errors
{
    public static S3Exception Of(S3ErrorCode code, string? message = null) => new(code, message);

    public static S3Exception NoSuchBucket(string bucket) =>
        new(S3ErrorCode.NoSuchBucket) { Details = [new("BucketName", bucket)] };

    public static S3Exception NoSuchKey(string key) =>
        new(S3ErrorCode.NoSuchKey) { Details = [new("Key", key)] };

    public static S3Exception NoSuchVersion(string key, string? versionId) =>
        new(S3ErrorCode.NoSuchVersion) { Details = [new("Key", key), new("VersionId", versionId ?? "")] };

    /// <summary>405 for a request by version id that names a delete marker, which has no body, tags or lock state.</summary>
    public static S3Exception DeleteMarkerNotAllowed(string? versionId) =>
        new(S3ErrorCode.MethodNotAllowed)
        {
            Details = [new("ResourceType", "DeleteMarker")],
            ResponseHeaders = [new("x-amz-delete-marker", "true"), new("x-amz-version-id", versionId ?? "")],
        };

    /// <summary>400 for an Object Lock request on a bucket without Object Lock.</summary>
    public static S3Exception MissingObjectLockConfiguration() => InvalidRequest("Bucket is missing Object Lock Configuration");

    /// <summary>404 for GetObjectLockConfiguration of a bucket without Object Lock.</summary>
    public static S3Exception ObjectLockConfigurationNotFound(string bucket) =>
        new(S3ErrorCode.ObjectLockConfigurationNotFoundError) { Details = [new("BucketName", bucket)] };

    /// <summary>403 for removing a version, or changing its retention, in a way its lock does not allow.</summary>
    public static S3Exception ProtectedByObjectLock() => AccessDenied("Access Denied because object protected by object lock.");

    public static S3Exception NoSuchUpload(string uploadId) =>
        new(S3ErrorCode.NoSuchUpload) { Details = [new("UploadId", uploadId)] };

    public static S3Exception InvalidBucketName(string bucket) =>
        new(S3ErrorCode.InvalidBucketName) { Details = [new("BucketName", bucket)] };

    public static S3Exception InvalidArgument(string message, string? name = null, string? value = null) =>
        new(S3ErrorCode.InvalidArgument, message)
        {
            Details = name is null ? [] : [new("ArgumentName", name), new("ArgumentValue", value ?? "")],
        };

    /// <summary>S3's answer to a POST on a bucket whose body is not an HTML form's (412, the condition named).</summary>
    public static S3Exception NotMultipartForm() =>
        new(S3ErrorCode.PreconditionFailed) { Details = [new("Condition", "Bucket POST must be of the enclosure-type multipart/form-data")] };

    public static S3Exception InvalidRequest(string message) => new(S3ErrorCode.InvalidRequest, message);

    public static S3Exception SignatureDoesNotMatch(string? message = null) => new(S3ErrorCode.SignatureDoesNotMatch, message);

    public static S3Exception AccessDenied(string? message = null) => new(S3ErrorCode.AccessDenied, message);

    public static S3Exception NotImplemented(string what) =>
        new(S3ErrorCode.NotImplemented, $"{what} is not implemented.");

    /// <summary>
    /// NotImplemented for a request header that asks for something Cairn does not do, worded as S3
    /// words it, with the header named in a <c>Header</c> element.
    /// </summary>
    public static S3Exception HeaderNotImplemented(string header) =>
        new(S3ErrorCode.NotImplemented, "A header you provided implies functionality that is not implemented")
        {
            Details = [new("Header", header)],
        };
}
