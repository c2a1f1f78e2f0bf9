namespace Cairn.Core;

/// <summary>A listing row: what ListObjects returns per key.</summary>
public readonly record struct ObjectSummary(string Key, long Size, string ETag, DateTimeOffset LastModified)
{
    /// <summary>The cold tier the version's bytes were moved to; null while they are in the hot store (STANDARD).</summary>
    public string? StorageClass { get; init; }
}
