namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>The tags of a version of a key (the latest when <paramref name="versionId"/> is null).</summary>
    public async Task<ObjectTaggingResult> GetTagsAsync(string bucket, string key, CancellationToken cancellationToken, string? versionId = null)
    {
        var version = versionId is null
            ? await objects.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false)
            : await objects.GetObjectVersionAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        if (version is { IsDeleteMarker: false })
        {
            return new ObjectTaggingResult(ObjectTaggingStatus.Done, version.Tags);
        }
        if (version is not null && versionId is not null)
        {
            return new ObjectTaggingResult(ObjectTaggingStatus.DeleteMarker);
        }
        return new ObjectTaggingResult(await MissingKeyStatusAsync(bucket, versionId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Replaces the tags of the latest version of a key (validated by the caller; none removes them).
    /// Nothing else of the version changes: not its ETag, nor its last-modified time.
    /// </summary>
    public async Task<ObjectTaggingStatus> PutTagsAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken, string? versionId = null) =>
        await objects.PutObjectTagsAsync(bucket, key, versionId, tags, cancellationToken).ConfigureAwait(false) switch
        {
            Metadata.PutTagsOutcome.Updated => ObjectTaggingStatus.Done,
            // The latest version a delete marker: the key reads as absent.
            Metadata.PutTagsOutcome.DeleteMarker when versionId is null => ObjectTaggingStatus.NoSuchKey,
            Metadata.PutTagsOutcome.DeleteMarker => ObjectTaggingStatus.DeleteMarker,
            _ => await MissingKeyStatusAsync(bucket, versionId, cancellationToken).ConfigureAwait(false),
        };

    private async Task<ObjectTaggingStatus> MissingKeyStatusAsync(string bucket, string? versionId, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null ? ObjectTaggingStatus.NoSuchBucket
        : versionId is null ? ObjectTaggingStatus.NoSuchKey
        : ObjectTaggingStatus.NoSuchVersion;
}
