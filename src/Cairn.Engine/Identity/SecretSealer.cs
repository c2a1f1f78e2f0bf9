using System.Security.Cryptography;
using System.Text;

namespace Cairn.Engine.Identity;

/// <summary>
/// Seals small secrets (access keys' secrets) under the ring's current key with AES-256-GCM, bound
/// to a context (the access key id) as associated data, so a sealed secret copied onto another
/// row does not unseal. Layout: version 1, the key id's length and UTF-8 bytes, a 12-byte nonce,
/// the 16-byte tag, the ciphertext.
/// </summary>
public sealed class SecretSealer(ServerKeyRing keys)
{
    private const byte FormatVersion = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    /// <summary>The sealed form of <paramref name="secret"/> for <paramref name="context"/>.</summary>
    public byte[] Seal(string secret, string context)
    {
        var key = keys.Current;
        var id = Encoding.UTF8.GetBytes(key.Id);
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[2 + id.Length + NonceLength + TagLength + plaintext.Length];
        sealedBytes[0] = FormatVersion;
        sealedBytes[1] = checked((byte)id.Length);
        id.CopyTo(sealedBytes, 2);
        var nonce = sealedBytes.AsSpan(2 + id.Length, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key.Material, TagLength);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(2 + id.Length + NonceLength + TagLength), sealedBytes.AsSpan(2 + id.Length + NonceLength, TagLength),
            Encoding.UTF8.GetBytes(context));
        return sealedBytes;
    }

    /// <summary>
    /// The secret sealed in <paramref name="sealedBytes"/> for <paramref name="context"/>; throws
    /// <see cref="CryptographicException"/> when it is malformed, sealed under a key the ring does not
    /// hold, altered, or sealed for another context.
    /// </summary>
    public string Unseal(byte[] sealedBytes, string context)
    {
        ArgumentNullException.ThrowIfNull(sealedBytes);
        if (sealedBytes.Length < 2 || sealedBytes[0] != FormatVersion || sealedBytes.Length < 2 + sealedBytes[1] + NonceLength + TagLength)
        {
            throw new CryptographicException("The sealed secret is malformed.");
        }
        var idLength = sealedBytes[1];
        var id = Encoding.UTF8.GetString(sealedBytes, 2, idLength);
        if (!keys.TryGet(id, out var key))
        {
            throw new CryptographicException($"The secret was sealed under server key '{id}', which the key file does not hold.");
        }
        var body = 2 + idLength;
        var plaintext = new byte[sealedBytes.Length - body - NonceLength - TagLength];
        using var aes = new AesGcm(key.Material, TagLength);
        aes.Decrypt(sealedBytes.AsSpan(body, NonceLength), sealedBytes.AsSpan(body + NonceLength + TagLength), sealedBytes.AsSpan(body + NonceLength, TagLength),
            plaintext, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plaintext);
    }
}
