using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

/// <summary>An <c>Error</c> entry of a DeleteObjects answer: one key that could not be deleted.</summary>
public sealed record DeleteError(string Key, S3ErrorCode Code, string Message)
{
    /// <summary>Version the request named, when it named one.</summary>
    public string? VersionId { get; init; }
}
