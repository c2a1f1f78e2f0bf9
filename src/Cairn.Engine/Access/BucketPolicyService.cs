using Cairn.Core.Access;
using Cairn.Metadata;

namespace Cairn.Engine.Access;

/// <summary>Outcome of putting or deleting a bucket policy.</summary>
public enum BucketPolicyStatus
{
    Done,
    NoSuchBucket,
}

/// <summary>
/// Bucket policies and Block Public Access settings (issue 14), kept in the catalog's bucket configurations (kind <see cref="Kind"/>)
/// as the document the client sent, which GetBucketPolicy answers. The authorization decision reads
/// the parsed policy from memory (<see cref="GetPolicyAsync"/>): a put or delete on this node counts
/// at once, one on another node within <see cref="CacheTime"/>.
/// </summary>
public sealed class BucketPolicyService(IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time)
{
    /// <summary>The configuration kind of bucket policies in the catalog.</summary>
    public const string Kind = "policy";

    /// <summary>How long a bucket's parsed policy (or its absence) is kept in memory.</summary>
    public static readonly TimeSpan CacheTime = TimedBucketCache<BucketAccess>.CacheTime;

    /// <summary>The configuration kind of Block Public Access settings in the catalog.</summary>
    public const string PublicAccessBlockKind = "public-access-block";

    private readonly TimedBucketCache<BucketAccess> _cache = new(time);

    /// <summary>The loader, made once: the decision asks on every request.</summary>
    private Func<string, CancellationToken, ValueTask<BucketAccess>>? _loadAccess;

    /// <summary>The bucket's policy as sent; null when it has none (or there is no such bucket).</summary>
    public async Task<string?> GetDocumentAsync(string bucket, CancellationToken cancellationToken) =>
        (await configurations.GetBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false))?.Document;

    /// <summary>The bucket's policy parsed, for the authorization decision (from memory when read within <see cref="CacheTime"/>).</summary>
    public async ValueTask<BucketPolicy?> GetPolicyAsync(string bucket, CancellationToken cancellationToken) =>
        (await GetAccessAsync(bucket, cancellationToken).ConfigureAwait(false)).Policy;

    /// <summary>The bucket's policy and Block Public Access settings in force, for the authorization decision (from memory within <see cref="CacheTime"/>).</summary>
    public ValueTask<BucketAccess> GetAccessAsync(string bucket, CancellationToken cancellationToken) =>
        _cache.GetAsync(bucket, _loadAccess ??= LoadAccessAsync, cancellationToken);

    private async ValueTask<BucketAccess> LoadAccessAsync(string bucket, CancellationToken cancellationToken)
    {
        var document = await GetDocumentAsync(bucket, cancellationToken).ConfigureAwait(false);
        // A stored policy was checked when it was put; parsing it again cannot fail unless the rules grew stricter.
        var policy = document is null ? null : BucketPolicy.Parse(document, bucket);
        return new BucketAccess(policy, await GetPublicAccessBlockAsync(bucket, cancellationToken).ConfigureAwait(false) ?? PublicAccessBlock.None);
    }

    /// <summary>
    /// The bucket's Block Public Access settings: <see cref="PublicAccessBlock.Default"/> when never put
    /// (new buckets block public access, as on AWS), null once deleted (S3: 404 on GET).
    /// </summary>
    public async Task<PublicAccessBlock?> GetPublicAccessBlockAsync(string bucket, CancellationToken cancellationToken)
    {
        var stored = await configurations.GetBucketConfigurationAsync(bucket, PublicAccessBlockKind, BucketConfiguration.Single, cancellationToken)
            .ConfigureAwait(false);
        if (stored is null)
        {
            return PublicAccessBlock.Default;
        }
        // "none": deleted; otherwise the four flags in order, each 0 or 1.
        return stored.Document == "none"
            ? null
            : new PublicAccessBlock(stored.Document[0] == '1', stored.Document[1] == '1', stored.Document[2] == '1', stored.Document[3] == '1');
    }

    /// <summary>Sets the bucket's Block Public Access settings (null: deletes them, so nothing is blocked).</summary>
    public async Task<BucketPolicyStatus> PutPublicAccessBlockAsync(string bucket, PublicAccessBlock? settings, CancellationToken cancellationToken)
    {
        var document = settings is null
            ? "none"
            : string.Concat(new[] { settings.BlockPublicAcls, settings.IgnorePublicAcls, settings.BlockPublicPolicy, settings.RestrictPublicBuckets }
                .Select(static flag => flag ? '1' : '0'));
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, PublicAccessBlockKind, BucketConfiguration.Single,
            document, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        _cache.Invalidate(bucket);
        return put ? BucketPolicyStatus.Done : BucketPolicyStatus.NoSuchBucket;
    }

    /// <summary>Creates or replaces the bucket's policy (<paramref name="document"/> already parsed and checked by the caller).</summary>
    public async Task<BucketPolicyStatus> PutAsync(string bucket, string document, CancellationToken cancellationToken)
    {
        var put = await configurations.PutBucketConfigurationAsync(new BucketConfiguration(bucket, Kind, BucketConfiguration.Single, document,
            time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        _cache.Invalidate(bucket); // after the write: a read between would cache the old policy again
        return put ? BucketPolicyStatus.Done : BucketPolicyStatus.NoSuchBucket;
    }

    /// <summary>Removes the bucket's policy; done whether or not it had one (as S3 answers).</summary>
    public async Task<BucketPolicyStatus> DeleteAsync(string bucket, CancellationToken cancellationToken)
    {
        var deleted = await configurations.DeleteBucketConfigurationAsync(bucket, Kind, BucketConfiguration.Single, cancellationToken).ConfigureAwait(false);
        _cache.Invalidate(bucket);
        return deleted || await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is not null
            ? BucketPolicyStatus.Done
            : BucketPolicyStatus.NoSuchBucket;
    }
}

/// <summary>What the authorization decision reads of a bucket: its policy (null: none) and the Block Public Access settings in force.</summary>
public sealed record BucketAccess(BucketPolicy? Policy, PublicAccessBlock Block);
