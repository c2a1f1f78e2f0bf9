namespace Cairn.S3;

/// <summary>Front-end settings. Bound from section <c>S3</c>.</summary>
public sealed class S3Options
{
    /// <summary>The region this server is; requests must be signed for it. Default us-east-1.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Base domain for virtual-host-style addressing (<c>bucket.BaseDomain</c>); empty: path style only.</summary>
    public string? BaseDomain { get; set; }
}
