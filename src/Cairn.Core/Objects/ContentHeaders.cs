namespace Cairn.Core;

/// <summary>Content headers S3 stores with an object and returns on GET/HEAD.</summary>
public sealed record ContentHeaders(
    string? ContentType = null,
    string? ContentEncoding = null,
    string? ContentDisposition = null,
    string? ContentLanguage = null,
    string? CacheControl = null,
    string? Expires = null);
