using System.Security.Cryptography;
using System.Text;
using Cairn.Engine.Identity;

namespace Cairn.Engine.Encryption;

/// <summary>How an object's body is encrypted at rest.</summary>
public enum EncryptionMode
{
    /// <summary>Stored as sent.</summary>
    None,

    /// <summary>SSE-S3: the data key sealed under the server key ring's current key.</summary>
    ServerManaged,

    /// <summary>SSE-C: the data key sealed under a key derived from the customer's key, which is never stored.</summary>
    CustomerKey,
}

/// <summary>Why an object's data key could not be opened.</summary>
public enum DataKeyFailure
{
    /// <summary>The object is SSE-C and the request gave no key (S3: 400 InvalidRequest).</summary>
    CustomerKeyMissing,

    /// <summary>The request's customer key is not the object's (S3: 403 AccessDenied).</summary>
    CustomerKeyWrong,

    /// <summary>The request gave a customer key for an object that is not SSE-C (S3: 400 InvalidRequest).</summary>
    CustomerKeyNotApplicable,

    /// <summary>The data key was sealed under a server key the key file no longer holds.</summary>
    ServerKeyMissing,
}

/// <summary>An object's data key could not be opened; <see cref="Failure"/> says why.</summary>
public sealed class DataKeyException(DataKeyFailure failure, string message) : Exception(message)
{
    public DataKeyFailure Failure { get; } = failure;
}

/// <summary>
/// An object's data key, sealed (issue 14): what the catalog keeps as a version's or an upload's
/// <c>Encryption</c>. Layout: version 1, the mode (1 SSE-S3, 2 SSE-C), then for SSE-S3 the key as
/// <see cref="SecretSealer.SealBytes"/> seals it (it names the server key, so rotation keeps old objects
/// readable), for SSE-C a 16-byte salt, a 12-byte nonce, the 16-byte tag and the sealed key, under
/// HKDF-SHA256 of the customer's key with that salt. A wrong customer key fails the tag: nothing about
/// the customer's key (not even its MD5) is stored.
/// </summary>
public static class DataKeyEnvelope
{
    private const byte FormatVersion = 1;
    private const byte ServerManagedMode = 1;
    private const byte CustomerKeyMode = 2;
    private const int SaltLength = 16;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const string ServerContext = "cairn sse-s3 data key";
    private static readonly byte[] CustomerInfo = Encoding.UTF8.GetBytes("cairn sse-c data key");

    /// <summary>The mode an envelope records; None for a null one.</summary>
    public static EncryptionMode ModeOf(byte[]? envelope) => envelope switch
    {
        null => EncryptionMode.None,
        [FormatVersion, ServerManagedMode, ..] => EncryptionMode.ServerManaged,
        [FormatVersion, CustomerKeyMode, ..] => EncryptionMode.CustomerKey,
        _ => throw new DataKeyException(DataKeyFailure.ServerKeyMissing, "An object's encryption envelope is of a format this build does not know."),
    };

    /// <summary>For an SSE-S3 envelope, the id of the server key its data key is sealed under.</summary>
    public static string? ServerKeyIdOf(byte[] envelope) =>
        ModeOf(envelope) == EncryptionMode.ServerManaged ? SecretSealer.KeyIdOf(envelope[2..]) : null;

    /// <summary>Seals <paramref name="dataKey"/> under the server's current key (SSE-S3).</summary>
    public static byte[] SealForServer(byte[] dataKey, SecretSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        var sealedKey = sealer.SealBytes(dataKey, ServerContext);
        return [FormatVersion, ServerManagedMode, .. sealedKey];
    }

    /// <summary>Seals <paramref name="dataKey"/> under <paramref name="customerKey"/> (SSE-C, 32 bytes).</summary>
    public static byte[] SealForCustomer(byte[] dataKey, ReadOnlySpan<byte> customerKey)
    {
        var envelope = new byte[2 + SaltLength + NonceLength + TagLength + dataKey.Length];
        envelope[0] = FormatVersion;
        envelope[1] = CustomerKeyMode;
        var salt = envelope.AsSpan(2, SaltLength);
        RandomNumberGenerator.Fill(salt);
        var nonce = envelope.AsSpan(2 + SaltLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(CustomerKek(customerKey, salt), TagLength);
        aes.Encrypt(nonce, dataKey, envelope.AsSpan(2 + SaltLength + NonceLength + TagLength), envelope.AsSpan(2 + SaltLength + NonceLength, TagLength));
        return envelope;
    }

    /// <summary>
    /// The data key in <paramref name="envelope"/>: SSE-S3 opens with the server's keys and refuses a
    /// customer key; SSE-C needs the customer's key. Throws <see cref="DataKeyException"/> otherwise.
    /// </summary>
    public static byte[] Open(byte[] envelope, byte[]? customerKey, SecretSealer sealer)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(sealer);
        switch (ModeOf(envelope))
        {
            case EncryptionMode.ServerManaged:
                if (customerKey is not null)
                {
                    throw new DataKeyException(DataKeyFailure.CustomerKeyNotApplicable, "The encryption parameters are not applicable to this object.");
                }
                try
                {
                    return sealer.UnsealBytes(envelope[2..], ServerContext);
                }
                catch (CryptographicException ex)
                {
                    throw new DataKeyException(DataKeyFailure.ServerKeyMissing, ex.Message);
                }
            default:
                if (customerKey is null)
                {
                    throw new DataKeyException(DataKeyFailure.CustomerKeyMissing,
                        "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
                }
                var body = envelope.AsSpan(2);
                var dataKey = new byte[body.Length - SaltLength - NonceLength - TagLength];
                try
                {
                    using var aes = new AesGcm(CustomerKek(customerKey, body[..SaltLength]), TagLength);
                    aes.Decrypt(body.Slice(SaltLength, NonceLength), body[(SaltLength + NonceLength + TagLength)..],
                        body.Slice(SaltLength + NonceLength, TagLength), dataKey);
                }
                catch (CryptographicException)
                {
                    throw new DataKeyException(DataKeyFailure.CustomerKeyWrong, "Access Denied");
                }
                return dataKey;
        }
    }

    private static byte[] CustomerKek(ReadOnlySpan<byte> customerKey, ReadOnlySpan<byte> salt)
    {
        var kek = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, customerKey, kek, salt, CustomerInfo);
        return kek;
    }
}
