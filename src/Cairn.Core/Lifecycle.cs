namespace Cairn.Core;

/// <summary>
/// A bucket's lifecycle configuration (PutBucketLifecycleConfiguration): its rules, in the order
/// given. Validated by the front end that read it; the engine stores it and acts on it.
/// </summary>
public sealed record LifecycleConfiguration(IReadOnlyList<LifecycleRule> Rules);

/// <summary>
/// One lifecycle rule: which objects (<see cref="Filter"/>) and what happens to them. Days count from
/// a version's creation (or, for noncurrent actions, from when it became noncurrent); a date is a
/// midnight UTC.
/// </summary>
public sealed record LifecycleRule
{
    /// <summary>The rule's ID (S3 makes one up when a rule has none).</summary>
    public required string Id { get; init; }

    public required bool Enabled { get; init; }

    public required LifecycleFilter Filter { get; init; }

    /// <summary>Expiration of current versions: after days, on a date, or of expired delete markers.</summary>
    public LifecycleExpiration? Expiration { get; init; }

    /// <summary>Noncurrent versions expire this many days after becoming noncurrent.</summary>
    public int? NoncurrentDays { get; init; }

    /// <summary>With <see cref="NoncurrentDays"/>: how many of the newest noncurrent versions are kept whatever their age.</summary>
    public int? NewerNoncurrentVersions { get; init; }

    /// <summary>Multipart uploads still incomplete this many days after they were created are aborted.</summary>
    public int? AbortIncompleteUploadDays { get; init; }

    /// <summary>Moves of current versions to named cold tiers, in the order given.</summary>
    public IReadOnlyList<LifecycleTransition> Transitions { get; init; } = [];

    /// <summary>Moves of noncurrent versions to named cold tiers, in the order given.</summary>
    public IReadOnlyList<LifecycleNoncurrentTransition> NoncurrentTransitions { get; init; } = [];
}

/// <summary>
/// A rule's move of current versions to the cold tier <see cref="StorageClass"/> names: after
/// <see cref="Days"/> days or on <see cref="Date"/> (exactly one is set).
/// </summary>
public sealed record LifecycleTransition(int? Days, DateTimeOffset? Date, string StorageClass);

/// <summary>
/// A rule's move of noncurrent versions to the cold tier <see cref="StorageClass"/> names,
/// <see cref="NoncurrentDays"/> days after they became noncurrent; the newest
/// <see cref="NewerNoncurrentVersions"/> noncurrent versions stay where they are.
/// </summary>
public sealed record LifecycleNoncurrentTransition(int NoncurrentDays, int? NewerNoncurrentVersions, string StorageClass);

/// <summary>
/// Which objects a rule applies to: every condition given must hold (an empty filter matches every
/// object). <see cref="Form"/> keeps how the request wrote it, so it is answered back the same way.
/// </summary>
public sealed record LifecycleFilter
{
    public string Prefix { get; init; } = "";

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>Objects larger than this many bytes.</summary>
    public long? SizeGreaterThan { get; init; }

    /// <summary>Objects smaller than this many bytes.</summary>
    public long? SizeLessThan { get; init; }

    public LifecycleFilterForm Form { get; init; } = LifecycleFilterForm.Filter;

    /// <summary>Whether an object of <paramref name="key"/>, <paramref name="size"/> bytes and <paramref name="tags"/> is one the rule applies to.</summary>
    public bool Matches(string key, long size, IReadOnlyDictionary<string, string> tags) =>
        key.StartsWith(Prefix, StringComparison.Ordinal)
        && (SizeGreaterThan is not { } above || size > above)
        && (SizeLessThan is not { } below || size < below)
        && Tags.All(tag => tags.TryGetValue(tag.Key, out var value) && value == tag.Value);
}

/// <summary>How a rule's filter was written.</summary>
public enum LifecycleFilterForm
{
    /// <summary>A <c>Filter</c> element (with at most one condition, or an <c>And</c>).</summary>
    Filter,

    /// <summary>A <c>Filter</c> whose conditions are inside <c>And</c>.</summary>
    And,

    /// <summary>The rule's own <c>Prefix</c> element (the API's first version), without a <c>Filter</c>.</summary>
    RulePrefix,
}

/// <summary>A rule's expiration of current versions: exactly one of the three is set.</summary>
public sealed record LifecycleExpiration(int? Days, DateTimeOffset? Date, bool ExpiredObjectDeleteMarker);
