using System.Text.Json.Serialization;
using Cairn.Engine.Access;
using Cairn.Engine.Identity;
using Cairn.Metadata;

namespace Cairn.Engine.Encryption;

/// <summary>What a write asks for: SSE-S3, SSE-C with the customer's 32-byte key, or nothing (the bucket's default applies).</summary>
public sealed record EncryptionRequest(EncryptionMode Mode, byte[]? CustomerKey = null)
{
    public static readonly EncryptionRequest ServerManaged = new(EncryptionMode.ServerManaged);

    public static EncryptionRequest Customer(byte[] key) => new(EncryptionMode.CustomerKey, key);
}

/// <summary>A bucket's default encryption (PutBucketEncryption): the algorithm new objects get when a write names none.</summary>
public sealed record BucketEncryptionDefault(string Algorithm, bool BucketKeyEnabled);

/// <summary>A body's cipher and the envelope that seals its data key, for a write; both null for a body stored as sent.</summary>
public readonly record struct WriteEncryption(BodyCipher? Cipher, byte[]? Envelope)
{
    public EncryptionMode Mode => DataKeyEnvelope.ModeOf(Envelope);
}

/// <summary>
/// Encryption at rest (issue 14): decides how a write is encrypted (what it asks for, else its bucket's
/// default) and opens a stored version's data key for a read. Each object (or multipart upload) gets
/// its own random data key, so equal bodies never give equal stored chunks: encrypted chunks are
/// addressed by their ciphertext and are never shared between objects, which is what keeps equal
/// plaintexts from showing across keys (and why encrypted objects do not deduplicate).
/// </summary>
public sealed class ObjectEncryption(ServerKeyRing keys, IBucketCatalog buckets, IBucketConfigurationCatalog configurations, TimeProvider time)
{
    /// <summary>The configuration kind of default encryption in the catalog.</summary>
    public const string Kind = "encryption";

    /// <summary>S3's name of its AES-256 server-side encryption.</summary>
    public const string Aes256 = "AES256";

    private readonly BucketConfigurationCache<BucketEncryptionDefault> _defaults =
        new(buckets, configurations, time, Kind, EncryptionJsonContext.Default.BucketEncryptionDefault);

    /// <summary>The bucket's default encryption (null: none).</summary>
    public ValueTask<BucketEncryptionDefault?> GetDefaultAsync(string bucket, CancellationToken cancellationToken) =>
        _defaults.GetAsync(bucket, cancellationToken);

    /// <summary>Sets the bucket's default encryption; false when there is no such bucket.</summary>
    public Task<bool> PutDefaultAsync(string bucket, BucketEncryptionDefault configuration, CancellationToken cancellationToken) =>
        _defaults.PutAsync(bucket, configuration, cancellationToken);

    /// <summary>Removes the bucket's default encryption; false when there is no such bucket.</summary>
    public Task<bool> DeleteDefaultAsync(string bucket, CancellationToken cancellationToken) => _defaults.DeleteAsync(bucket, cancellationToken);

    /// <summary>A new data key for a write to <paramref name="bucket"/>, sealed as <paramref name="request"/> asks, else as the bucket's default says.</summary>
    public async ValueTask<WriteEncryption> ForWriteAsync(string bucket, EncryptionRequest? request, CancellationToken cancellationToken)
    {
        var mode = await ModeForWriteAsync(bucket, request, cancellationToken).ConfigureAwait(false);
        if (mode == EncryptionMode.None)
        {
            return default;
        }
        var dataKey = BodyCipher.NewDataKey();
        var envelope = mode == EncryptionMode.CustomerKey
            ? DataKeyEnvelope.SealForCustomer(dataKey, request!.CustomerKey ?? throw new ArgumentException("SSE-C needs the customer's key.", nameof(request)))
            : DataKeyEnvelope.SealForServer(dataKey, keys);
        return new WriteEncryption(new BodyCipher(dataKey), envelope);
    }

    /// <summary>How a write to <paramref name="bucket"/> is encrypted: as <paramref name="request"/> asks, else as the bucket's default says.</summary>
    public async ValueTask<EncryptionMode> ModeForWriteAsync(string bucket, EncryptionRequest? request, CancellationToken cancellationToken) =>
        request is { Mode: not EncryptionMode.None } ? request.Mode
        : await GetDefaultAsync(bucket, cancellationToken).ConfigureAwait(false) is not null ? EncryptionMode.ServerManaged
        : EncryptionMode.None;

    /// <summary>
    /// The cipher that reads a body sealed by <paramref name="envelope"/> (null: a body stored as sent, which a
    /// customer key does not apply to); throws <see cref="DataKeyException"/> when the key cannot be opened.
    /// </summary>
    public BodyCipher? ForRead(byte[]? envelope, byte[]? customerKey)
    {
        if (envelope is null)
        {
            return customerKey is null
                ? null
                : throw new DataKeyException(DataKeyFailure.CustomerKeyNotApplicable, "The encryption parameters are not applicable to this object.");
        }
        return new BodyCipher(DataKeyEnvelope.Open(envelope, customerKey, keys));
    }

    /// <summary>
    /// The ETag of a body (or part) whose plaintext MD5 is <paramref name="md5"/>: that MD5, except under SSE-C,
    /// where S3's ETag is not the plaintext's digest (it would show equal bodies without the key): the MD5
    /// of the envelope and that digest.
    /// </summary>
    public static string ETagOf(byte[] md5, byte[]? envelope) =>
        DataKeyEnvelope.ModeOf(envelope) == EncryptionMode.CustomerKey
            ? Cairn.Core.ETag.FromMd5(System.Security.Cryptography.MD5.HashData([.. envelope!, .. md5]))
            : Cairn.Core.ETag.FromMd5(md5);
}

[JsonSerializable(typeof(BucketEncryptionDefault))]
internal sealed partial class EncryptionJsonContext : JsonSerializerContext;
