namespace Cairn.Core;

/// <summary>Protocol limits, named once (STYLE B3).</summary>
public static class S3Limits
{
    /// <summary>Longest object key, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Largest page a listing returns.</summary>
    public const int MaxKeys = 1000;

    /// <summary>Most keys in one DeleteObjects request.</summary>
    public const int MaxDeleteObjects = 1000;

    /// <summary>Largest request XML document accepted.</summary>
    public const int MaxXmlBodyBytes = 4 * 1024 * 1024;

    /// <summary>Total size of user metadata (x-amz-meta-* names and values), in bytes.</summary>
    public const int MaxUserMetadataBytes = 2 * 1024;

    /// <summary>Largest single PUT.</summary>
    public const long MaxSinglePutBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>Longest life of a presigned URL, in seconds (7 days).</summary>
    public const int MaxPresignedExpirySeconds = 7 * 24 * 3600;

    /// <summary>Largest accepted difference between a request's date and the server clock.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>Part numbers run from 1 to this.</summary>
    public const int MaxPartNumber = 10_000;

    /// <summary>Every multipart part but the last must be at least this large.</summary>
    public const long MinPartSize = 5L * 1024 * 1024;
}
