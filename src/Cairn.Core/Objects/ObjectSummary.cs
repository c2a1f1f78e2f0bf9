namespace Cairn.Core;

/// <summary>A listing row: what ListObjects returns per key.</summary>
public readonly record struct ObjectSummary(string Key, long Size, string ETag, DateTimeOffset LastModified);
