namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>The tags of the latest version of a key.</summary>
    public async Task<ObjectTaggingResult> GetTagsAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        if (await objects.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false) is { } version)
        {
            return new ObjectTaggingResult(ObjectTaggingStatus.Done, version.Tags);
        }
        return new ObjectTaggingResult(await MissingKeyStatusAsync(bucket, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Replaces the tags of the latest version of a key (validated by the caller; none removes them).
    /// Nothing else of the version changes: not its ETag, nor its last-modified time.
    /// </summary>
    public async Task<ObjectTaggingStatus> PutTagsAsync(string bucket, string key, IReadOnlyDictionary<string, string> tags,
        CancellationToken cancellationToken)
    {
        if (await objects.PutObjectTagsAsync(bucket, key, tags, cancellationToken).ConfigureAwait(false))
        {
            return ObjectTaggingStatus.Done;
        }
        return await MissingKeyStatusAsync(bucket, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ObjectTaggingStatus> MissingKeyStatusAsync(string bucket, CancellationToken cancellationToken) =>
        await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null
            ? ObjectTaggingStatus.NoSuchBucket
            : ObjectTaggingStatus.NoSuchKey;
}
