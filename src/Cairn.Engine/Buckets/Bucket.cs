using Cairn.Metadata;

namespace Cairn.Engine.Buckets;

/// <summary>A bucket as the layers above the engine see it. A view over the catalog row (no copy, no allocation).</summary>
public readonly struct Bucket
{
    private readonly BucketRecord _record;

    internal Bucket(BucketRecord record) => _record = record;

    public string Name => _record.Name;
    /// <summary>To the millisecond.</summary>
    public DateTimeOffset CreatedAt => _record.CreatedAt;
    public string Region => _record.Region;
}
