namespace Cairn.S3.Errors;

/// <summary>The one protocol exception: an S3 error to send to the client.</summary>
public sealed class S3Exception(S3ErrorCode code, string? message = null)
    : Exception(message ?? S3ErrorCatalog.MessageOf(code))
{
    /// <summary>The wire code.</summary>
    public S3ErrorCode Code { get; } = code;

    /// <summary>HTTP status from the catalog.</summary>
    public int StatusCode => S3ErrorCatalog.StatusOf(Code);

    /// <summary>Extra elements written into the error XML after Message (BucketName, Key, UploadId, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];

    /// <summary>
    /// Response headers the error answer carries (e.g. <c>Content-Range: bytes */size</c> on 416). Set
    /// here, not on the response: the middleware clears the response before writing the error.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders { get; init; } = [];
}
