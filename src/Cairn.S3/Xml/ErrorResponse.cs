using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

/// <summary>Input of <see cref="ErrorResponseWriter"/>: the body of every S3 error answer.</summary>
/// <param name="Code">The wire code.</param>
/// <param name="Message">Human-readable message (never exception text for InternalError).</param>
/// <param name="RequestId">The request id also sent as <c>x-amz-request-id</c>.</param>
public sealed record ErrorResponse(S3ErrorCode Code, string Message, string RequestId)
{
    /// <summary>Extra elements after Message, in order (BucketName, Key, UploadId, ArgumentName, ...), as <see cref="S3Exception.Details"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Details { get; init; } = [];

    /// <summary>The resource the request addressed (e.g. <c>/bucket/key</c>), when known.</summary>
    public string? Resource { get; init; }

    /// <summary>The host id also sent as <c>x-amz-id-2</c>, when the server has one.</summary>
    public string? HostId { get; init; }
}
