namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>
    /// Finds the latest version of a key and decides what a GET or HEAD sends: conditions are
    /// evaluated first, then the range. The body is streamed by <see cref="WriteBodyAsync"/>.
    /// </summary>
    public async Task<GetObjectResult> GetAsync(string bucket, string key, ReadConditions conditions, ByteRangeRequest? range,
        CancellationToken cancellationToken)
    {
        var version = await metadata.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            var bucketExists = await metadata.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
            return new GetObjectResult(bucketExists ? GetObjectStatus.NoSuchKey : GetObjectStatus.NoSuchBucket);
        }
        var verdict = ReadConditionEvaluator.Evaluate(conditions, version.ETag, version.LastModified);
        if (verdict != GetObjectStatus.Found)
        {
            return new GetObjectResult(verdict, version);
        }
        if (range is not { } requested)
        {
            return new GetObjectResult(GetObjectStatus.Found, version, 0, version.Size);
        }
        if (ByteRangeResolver.Resolve(requested, version.Size) is not { } resolved)
        {
            return new GetObjectResult(GetObjectStatus.RangeNotSatisfiable, version);
        }
        return new GetObjectResult(GetObjectStatus.Found, version, resolved.Offset, resolved.Length, IsPartial: true);
    }
}
