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
/// <c>Encryption</c>. Layout: version 1, the mode (1 SSE-S3, 2 SSE-C), then for SSE-S3 the server key's
/// id (its length, then UTF-8; rotation keeps old objects readable) and for SSE-C nothing more, then a
/// 16-byte salt, the 16-byte tag and the sealed key. The sealing key is HKDF-SHA256 of the server key
/// (or of the customer's key) with that salt, new for every envelope, so the fixed nonce never repeats
/// under a key however many objects are written. A wrong customer key fails the tag: nothing about the
/// customer's key (not even its MD5) is stored.
/// </summary>
public static class DataKeyEnvelope
{
    private const byte FormatVersion = 1;
    private const byte ServerManagedMode = 1;
    private const byte CustomerKeyMode = 2;
    private const int SaltLength = 16;
    private const int TagLength = 16;
    private static readonly byte[] ServerInfo = Encoding.UTF8.GetBytes("cairn sse-s3 data key");
    private static readonly byte[] CustomerInfo = Encoding.UTF8.GetBytes("cairn sse-c data key");

    /// <summary>Each envelope seals under a key of its own (a fresh salt), so one nonce serves them all.</summary>
    private static readonly byte[] Nonce = new byte[12];

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
        ModeOf(envelope) == EncryptionMode.ServerManaged && envelope.Length > 3 + envelope[2] ? Encoding.UTF8.GetString(envelope, 3, envelope[2]) : null;

    /// <summary>Seals <paramref name="dataKey"/> under the server's current key (SSE-S3).</summary>
    public static byte[] SealForServer(byte[] dataKey, ServerKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var id = Encoding.UTF8.GetBytes(keys.Current.Id);
        return Seal([FormatVersion, ServerManagedMode, checked((byte)id.Length), .. id], dataKey, keys.Current.Material, ServerInfo);
    }

    /// <summary>Seals <paramref name="dataKey"/> under <paramref name="customerKey"/> (SSE-C, 32 bytes).</summary>
    public static byte[] SealForCustomer(byte[] dataKey, byte[] customerKey) => Seal([FormatVersion, CustomerKeyMode], dataKey, customerKey, CustomerInfo);

    /// <summary>
    /// The data key in <paramref name="envelope"/>: SSE-S3 opens with the server's keys and refuses a
    /// customer key; SSE-C needs the customer's key. Throws <see cref="DataKeyException"/> otherwise.
    /// </summary>
    public static byte[] Open(byte[] envelope, byte[]? customerKey, ServerKeyRing keys)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(keys);
        if (ModeOf(envelope) == EncryptionMode.ServerManaged)
        {
            if (customerKey is not null)
            {
                throw new DataKeyException(DataKeyFailure.CustomerKeyNotApplicable, "The encryption parameters are not applicable to this object.");
            }
            var id = ServerKeyIdOf(envelope) ?? throw new DataKeyException(DataKeyFailure.ServerKeyMissing, "An SSE-S3 envelope is malformed.");
            if (!keys.TryGet(id, out var key))
            {
                throw new DataKeyException(DataKeyFailure.ServerKeyMissing, $"An object's data key is sealed under server key '{id}', which the key file does not hold.");
            }
            return Open(envelope.AsSpan(3 + envelope[2]), key.Material, ServerInfo)
                ?? throw new DataKeyException(DataKeyFailure.ServerKeyMissing, $"An object's data key does not open under server key '{id}'.");
        }
        if (customerKey is null)
        {
            throw new DataKeyException(DataKeyFailure.CustomerKeyMissing,
                "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
        }
        return Open(envelope.AsSpan(2), customerKey, CustomerInfo) ?? throw new DataKeyException(DataKeyFailure.CustomerKeyWrong, "Access Denied");
    }

    private static byte[] Seal(byte[] header, byte[] dataKey, byte[] secret, byte[] info)
    {
        var envelope = new byte[header.Length + SaltLength + TagLength + dataKey.Length];
        header.CopyTo(envelope, 0);
        var body = envelope.AsSpan(header.Length);
        RandomNumberGenerator.Fill(body[..SaltLength]);
        using var aes = new AesGcm(SealingKey(secret, body[..SaltLength], info), TagLength);
        aes.Encrypt(Nonce, dataKey, body[(SaltLength + TagLength)..], body.Slice(SaltLength, TagLength));
        return envelope;
    }

    /// <summary>The key sealed in <paramref name="body"/> (salt, tag, sealed key), or null when it does not open under <paramref name="secret"/>.</summary>
    private static byte[]? Open(ReadOnlySpan<byte> body, byte[] secret, byte[] info)
    {
        if (body.Length <= SaltLength + TagLength)
        {
            return null;
        }
        var dataKey = new byte[body.Length - SaltLength - TagLength];
        try
        {
            using var aes = new AesGcm(SealingKey(secret, body[..SaltLength], info), TagLength);
            aes.Decrypt(Nonce, body[(SaltLength + TagLength)..], body.Slice(SaltLength, TagLength), dataKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
        return dataKey;
    }

    private static byte[] SealingKey(byte[] secret, ReadOnlySpan<byte> salt, byte[] info)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, salt, info);
        return key;
    }
}
