using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Encryption;
using Cairn.Metadata;

namespace Cairn.Engine.Objects;

/// <summary>
/// Object operations with S3 semantics and no HTTP: every outcome a client can cause is a status
/// value; exceptions are for failures of the machine (storage, catalog, corruption).
/// </summary>
/// <remarks>
/// Encryption at rest goes through <see cref="ObjectEncryption"/> (null: the service stores bodies as sent
/// and refuses a request for encryption, the engine tests that need none).
/// </remarks>
public sealed partial class ObjectService(IBucketCatalog buckets, IObjectCatalog objects, ChunkStore chunks, EngineOptions options, TimeProvider time,
    ObjectEncryption? encryption = null)
{
    /// <summary>
    /// Deletes a key as S3 does: without <paramref name="versionId"/>, removes its version
    /// (unversioned bucket) or adds a delete marker (versioning enabled or suspended); with it,
    /// removes that version for good. Without <paramref name="ifMatch"/>, deleting what is not there
    /// succeeds (S3 answers 204 either way); with it (an ETag, a list, or <c>*</c>), the version must
    /// exist with a matching ETag, checked in the delete's transaction (conditional delete). A
    /// version protected by Object Lock is not removed (<see cref="DeleteObjectStatus.Locked"/>);
    /// <paramref name="bypassGovernance"/> lifts governance-mode retention.
    /// </summary>
    public async Task<ObjectDeletion> DeleteAsync(string bucket, string key, CancellationToken cancellationToken, string? ifMatch = null,
        string? versionId = null, bool bypassGovernance = false)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new ObjectDeletion(DeleteObjectStatus.NoSuchBucket);
        }
        var precondition = ifMatch is null ? WritePrecondition.None : new WritePrecondition(IfNoneMatchAny: false, ifMatch);
        var now = time.GetUtcNow();
        var result = versionId is null
            ? await objects.DeleteObjectAsync(bucket, key, precondition, now, options.GracePeriod, cancellationToken).ConfigureAwait(false)
            : await objects.DeleteObjectVersionAsync(bucket, key, versionId, precondition, bypassGovernance, now, options.GracePeriod, cancellationToken)
                .ConfigureAwait(false);
        return result.Outcome switch
        {
            DeleteObjectOutcome.PreconditionFailed => new ObjectDeletion(DeleteObjectStatus.PreconditionFailed),
            DeleteObjectOutcome.Locked => new ObjectDeletion(DeleteObjectStatus.Locked),
            DeleteObjectOutcome.NoSuchKey or DeleteObjectOutcome.NoSuchVersion when ifMatch is not null => new ObjectDeletion(DeleteObjectStatus.NoSuchKey),
            // S3 answers 204 for a version id the key does not have, and echoes it.
            DeleteObjectOutcome.NoSuchVersion => new ObjectDeletion(DeleteObjectStatus.Deleted, versionId),
            _ => new ObjectDeletion(DeleteObjectStatus.Deleted, result.VersionId, result.IsDeleteMarker),
        };
    }

    /// <summary>One page of a bucket's keys.</summary>
    public async Task<ListObjectsResult> ListAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new ListObjectsResult(BucketExists: false, null);
        }
        if (query.MaxKeys == 0)
        {
            return new ListObjectsResult(true, new ObjectListing([], [], IsTruncated: false, NextAfter: null));
        }
        var listing = await objects.ListObjectsAsync(bucket, query, cancellationToken).ConfigureAwait(false);
        return new ListObjectsResult(true, listing);
    }

    /// <summary>One page of a bucket's versions and delete markers: by key, then newest first.</summary>
    public async Task<ListVersionsResult> ListVersionsAsync(string bucket, ListVersionsQuery query, CancellationToken cancellationToken)
    {
        if (await buckets.GetBucketAsync(bucket, cancellationToken).ConfigureAwait(false) is null)
        {
            return new ListVersionsResult(BucketExists: false, null);
        }
        if (query.MaxKeys <= 0)
        {
            return new ListVersionsResult(true, new VersionListing([], [], IsTruncated: false, null, null));
        }
        var listing = await objects.ListObjectVersionsAsync(bucket, query, cancellationToken).ConfigureAwait(false);
        return new ListVersionsResult(true, listing);
    }

    /// <summary>The version id of the null version (S3's spelling).</summary>
    public const string NullVersionId = "null";

    /// <summary>Streams part of a version found by <see cref="GetAsync"/> (see <see cref="ChunkStore.CopyRangeToAsync"/>).</summary>
    public Task WriteBodyAsync(GetObjectResult found, Stream destination, CancellationToken cancellationToken) =>
        chunks.CopyRangeToAsync(found.Version.Record, found.Offset, found.Length, destination, cancellationToken, found.Cipher);

    /// <summary>How a write is encrypted: as <paramref name="request"/> asks, else as the bucket's default says.</summary>
    private ValueTask<WriteEncryption> EncryptionForWriteAsync(string bucket, EncryptionRequest? request, CancellationToken cancellationToken) =>
        encryption is not null ? encryption.ForWriteAsync(bucket, request, cancellationToken)
        : request is null ? ValueTask.FromResult<WriteEncryption>(default)
        : throw new InvalidOperationException("This object service was made without encryption at rest.");

    /// <summary>The cipher that reads <paramref name="version"/> (null: stored as sent); throws <see cref="DataKeyException"/>.</summary>
    private BodyCipher? CipherForRead(ObjectVersionRecord version, byte[]? customerKey) =>
        encryption?.ForRead(version.Encryption, customerKey)
        ?? (version.Encryption is null && customerKey is null ? null : throw new InvalidOperationException("This object service was made without encryption at rest."));

    /// <summary>The ETag of a single-part body (see <see cref="ObjectEncryption.ETagOf"/>).</summary>
    private static string ETagOf(byte[] md5, WriteEncryption written) => ObjectEncryption.ETagOf(md5, written.Envelope);
}
