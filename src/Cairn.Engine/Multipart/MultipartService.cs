using System.Security.Cryptography;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Encryption;
using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

/// <summary>
/// Multipart uploads with S3's rules. Parts stream into the chunk store at UploadPart time and hold
/// references of their own (like a small committed version), so a crash never loses an acknowledged
/// part; CompleteMultipartUpload makes the object visible in one catalog transaction and releases
/// the parts, so chunks the object uses never pass through a zero count.
/// </summary>
/// <remarks>
/// An encrypted upload (<see cref="ObjectEncryption"/>) gets its data key at CreateMultipartUpload, kept
/// sealed with the upload; each part is encrypted under it and the completed object keeps it.
/// </remarks>
public sealed partial class MultipartService(IBucketCatalog buckets, IObjectCatalog objects, IMultipartCatalog multipart, ChunkStore chunks, EngineOptions options,
    TimeProvider time, ObjectEncryption? encryption = null)
{
    /// <summary>Starts an upload; null when the bucket does not exist.</summary>
    public async Task<MultipartUpload?> CreateAsync(CreateMultipartCommand command, CancellationToken cancellationToken)
    {
        string? checksumType = null;
        if (command.ChecksumAlgorithm is { } algorithm)
        {
            checksumType = command.ChecksumType ?? MultipartChecksum.DefaultType(algorithm);
        }
        var sealedKey = command.Encryption is null && encryption is null ? null
            : (await (encryption ?? throw new InvalidOperationException("This multipart service was made without encryption at rest."))
                .ForWriteAsync(command.Bucket, command.Encryption, cancellationToken).ConfigureAwait(false)).Envelope;
        var upload = new MultipartUploadRecord
        {
            UploadId = NewUploadId(),
            Bucket = command.Bucket,
            Key = command.Key,
            Initiated = time.GetUtcNow(),
            Headers = command.Headers,
            UserMetadata = command.UserMetadata,
            ChecksumAlgorithm = command.ChecksumAlgorithm is { } chosen ? ChecksumAlgorithms.WireName(chosen) : null,
            ChecksumType = checksumType,
            Tags = command.Tags,
            Lock = command.Lock,
            Encryption = sealedKey,
        };
        return await multipart.CreateMultipartUploadAsync(upload, cancellationToken).ConfigureAwait(false) ? new MultipartUpload(upload) : null;
    }

    /// <summary>The upload when it exists and belongs to this bucket and key (S3 answers NoSuchUpload otherwise).</summary>
    public async Task<MultipartUpload?> FindAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken) =>
        await FindRecordAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false) is { } upload ? new MultipartUpload(upload) : null;

    private async Task<MultipartUploadRecord?> FindRecordAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken)
    {
        var upload = await multipart.GetMultipartUploadAsync(uploadId, cancellationToken).ConfigureAwait(false);
        return upload is not null && upload.Bucket == bucket && upload.Key == key ? upload : null;
    }

    /// <summary>Aborts an upload; false when there is no such upload for this bucket and key.</summary>
    public async Task<bool> AbortAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken)
    {
        if (await FindRecordAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }
        return await multipart.AbortMultipartUploadAsync(uploadId, time.GetUtcNow(), options.GracePeriod, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of an upload's parts; null when there is no such upload.</summary>
    public async Task<(MultipartUpload Upload, UploadedPartListing Parts)?> ListPartsAsync(string bucket, string key, string uploadId,
        int afterPartNumber, int maxParts, CancellationToken cancellationToken)
    {
        var upload = await FindRecordAsync(bucket, key, uploadId, cancellationToken).ConfigureAwait(false);
        if (upload is null)
        {
            return null;
        }
        var page = await multipart.ListPartsAsync(uploadId, afterPartNumber, maxParts, cancellationToken).ConfigureAwait(false);
        var parts = new UploadedPart[page.Parts.Count];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = new UploadedPart(page.Parts[i]);
        }
        return (new MultipartUpload(upload), new UploadedPartListing(parts, page.IsTruncated));
    }

    /// <summary>One page of a bucket's uploads in progress; null when the bucket does not exist.</summary>
    public async Task<UploadListing?> ListUploadsAsync(string bucket, MultipartUploadsQuery query, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }
        var page = await multipart.ListMultipartUploadsAsync(bucket, query, cancellationToken).ConfigureAwait(false);
        var uploads = new MultipartUpload[page.Uploads.Count];
        for (var i = 0; i < uploads.Length; i++)
        {
            uploads[i] = new MultipartUpload(page.Uploads[i]);
        }
        return new UploadListing(uploads, page.CommonPrefixes, page.IsTruncated, page.NextKeyMarker, page.NextUploadIdMarker);
    }

    /// <summary>Aborts uploads initiated more than <see cref="EngineOptions.AbandonedUploadAge"/> ago; returns how many.</summary>
    public async Task<int> AbortAbandonedAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stale = await multipart.ListMultipartUploadsInitiatedBeforeAsync(now - options.AbandonedUploadAge, max, cancellationToken).ConfigureAwait(false);
        var aborted = 0;
        foreach (var uploadId in stale)
        {
            if (await multipart.AbortMultipartUploadAsync(uploadId, now, options.GracePeriod, cancellationToken).ConfigureAwait(false))
            {
                aborted++;
            }
        }
        return aborted;
    }

    /// <summary>
    /// Forgets completions older than <see cref="EngineOptions.CompletedUploadRetention"/> (a Complete
    /// sent again after that is NoSuchUpload); returns how many.
    /// </summary>
    public async Task<int> ForgetCompletedAsync(int max, CancellationToken cancellationToken) =>
        await multipart.ForgetCompletedMultipartUploadsAsync(time.GetUtcNow() - options.CompletedUploadRetention, max, cancellationToken)
            .ConfigureAwait(false);

    private static string NewUploadId()
    {
        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');
    }

    /// <summary>The cipher an upload's parts are written with (null: stored as sent); throws <see cref="DataKeyException"/> for a missing or wrong SSE-C key.</summary>
    private BodyCipher? PartCipher(MultipartUploadRecord upload, byte[]? customerKey) =>
        encryption?.ForRead(upload.Encryption, customerKey)
        ?? (upload.Encryption is null && customerKey is null ? null : throw new InvalidOperationException("This multipart service was made without encryption at rest."));
}
