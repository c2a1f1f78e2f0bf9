namespace Cairn.Engine.Objects;

public sealed partial class ObjectService
{
    /// <summary>
    /// Finds the latest version of a key and decides what a GET or HEAD sends: conditions are
    /// evaluated first, then the range. The body is streamed by <see cref="WriteBodyAsync"/>.
    /// </summary>
    /// <remarks>
    /// An encrypted version's data key is opened here, before anything is answered, with
    /// <paramref name="customerKey"/> for SSE-C: a missing, wrong or misapplied key throws
    /// <see cref="Encryption.DataKeyException"/> (HEAD too, as S3 answers).
    /// </remarks>
    public async Task<GetObjectResult> GetAsync(string bucket, string key, ReadConditions conditions, ByteRangeRequest? range,
        CancellationToken cancellationToken, int? partNumber = null, string? versionId = null, byte[]? customerKey = null)
    {
        var result = await FindAsync(bucket, key, conditions, range, cancellationToken, partNumber, versionId).ConfigureAwait(false);
        return result.Version.Record is { IsDeleteMarker: false } version && result.Status != GetObjectStatus.DeleteMarker
            ? result with { Cipher = CipherForRead(version, customerKey) }
            : result;
    }

    private async Task<GetObjectResult> FindAsync(string bucket, string key, ReadConditions conditions, ByteRangeRequest? range,
        CancellationToken cancellationToken, int? partNumber, string? versionId)
    {
        var version = versionId is null
            ? await objects.GetObjectAsync(bucket, key, cancellationToken).ConfigureAwait(false)
            : await objects.GetObjectVersionAsync(bucket, key, versionId, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            var bucketExists = await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null;
            return new GetObjectResult(!bucketExists ? GetObjectStatus.NoSuchBucket
                : versionId is null ? GetObjectStatus.NoSuchKey : GetObjectStatus.NoSuchVersion);
        }
        if (version.IsDeleteMarker)
        {
            return new GetObjectResult(versionId is null ? GetObjectStatus.NoSuchKey : GetObjectStatus.DeleteMarker, new ObjectVersion(version));
        }
        var verdict = ReadConditionEvaluator.Evaluate(conditions, version.ETag, version.LastModified);
        if (verdict != GetObjectStatus.Found)
        {
            return new GetObjectResult(verdict, new ObjectVersion(version));
        }
        if (partNumber is { } part)
        {
            return ResolvePart(version, part);
        }
        if (range is not { } requested)
        {
            return new GetObjectResult(GetObjectStatus.Found, new ObjectVersion(version), 0, version.Size);
        }
        if (ByteRangeResolver.Resolve(requested, version.Size) is not { } resolved)
        {
            return new GetObjectResult(GetObjectStatus.RangeNotSatisfiable, new ObjectVersion(version));
        }
        return new GetObjectResult(GetObjectStatus.Found, new ObjectVersion(version), resolved.Offset, resolved.Length, IsPartial: true);
    }

    /// <summary>
    /// The byte range of part <paramref name="partNumber"/>: from the part sizes of a multipart
    /// object, or the whole body as part 1 of any other object.
    /// </summary>
    private static GetObjectResult ResolvePart(Metadata.ObjectVersionRecord version, int partNumber)
    {
        var count = Math.Max(1, version.PartSizes.Count);
        if (partNumber > count)
        {
            return new GetObjectResult(GetObjectStatus.InvalidPartNumber, new ObjectVersion(version)) { PartsCount = count };
        }
        if (version.PartSizes.Count == 0)
        {
            // S3 sends no x-amz-mp-parts-count for an object that was not uploaded in parts
            // (captured in versity/versitygw#2074, boto/boto3#3137).
            return new GetObjectResult(GetObjectStatus.Found, new ObjectVersion(version), 0, version.Size, IsPartial: true);
        }
        long offset = 0;
        for (var i = 0; i < partNumber - 1; i++)
        {
            offset += version.PartSizes[i];
        }
        return new GetObjectResult(GetObjectStatus.Found, new ObjectVersion(version), offset, version.PartSizes[partNumber - 1], IsPartial: true) { PartsCount = count };
    }
}
