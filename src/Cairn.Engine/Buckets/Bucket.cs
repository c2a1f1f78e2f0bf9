using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Buckets;

/// <summary>A bucket as the layers above the engine see it. A view over the catalog row (no copy, no allocation).</summary>
public readonly struct Bucket
{
    // Typed object, not BucketRecord: a struct's private fields are part of what a compilation using the
    // struct must resolve (reference assemblies keep them; a Debug build of an async method that
    // holds one across an await checks them), and the S3 front end has no reference to Cairn.Metadata.
    private readonly object? _record;

    internal Bucket(BucketRecord record) => _record = record;

    /// <summary>The catalog row, for the engine (and its tests) only.</summary>
    internal BucketRecord Record => (BucketRecord)_record!;

    public string Name => Record.Name;
    /// <summary>To the millisecond.</summary>
    public DateTimeOffset CreatedAt => Record.CreatedAt;
    public string Region => Record.Region;

    /// <summary>The user owning the bucket; null when root owns it.</summary>
    public string? Owner => Record.Owner;

    /// <summary>The bucket's versioning state (PutBucketVersioning).</summary>
    public BucketVersioning Versioning => Record.Versioning;

    /// <summary>The bucket's Object Lock configuration; null when lock is not enabled.</summary>
    public ObjectLockConfiguration? ObjectLock => Record.ObjectLock;

    /// <summary>The bucket's tags; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Tags => Record.Tags;
}
