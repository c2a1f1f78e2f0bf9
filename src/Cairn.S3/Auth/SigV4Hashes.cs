using System.Security.Cryptography;

namespace Cairn.S3.Auth;

/// <summary>
/// SHA-256 and HMAC-SHA256 for request signatures, on hash objects kept per thread. The one-shot
/// <c>HashData</c> calls set up a fresh OpenSSL context each time, which looks the algorithm up in
/// OpenSSL's shared method store under a lock; at thousands of requests per second on every core
/// that lock became a visible share of a 4 KiB GET (threads parked on it). A kept context is only
/// finalized and re-initialized, with the key it already holds.
/// </summary>
internal static class SigV4Hashes
{
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    [ThreadStatic]
    private static byte[]? t_hmacKey;

    [ThreadStatic]
    private static IncrementalHash? t_hmac;

    /// <summary>SHA-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(data);
        sha256.GetHashAndReset(destination);
    }

    /// <summary>
    /// HMAC-SHA256 of <paramref name="data"/> under <paramref name="key"/> into <paramref name="destination"/>.
    /// The thread keeps the context of the last key it saw; signing keys come from <see cref="SigningKeyCache"/>,
    /// so one caller's key is the same array request after request and compares by reference.
    /// </summary>
    public static void HmacSha256(byte[] key, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var hmac = t_hmac;
        if (hmac is null || !ReferenceEquals(t_hmacKey, key))
        {
            hmac?.Dispose();
            hmac = t_hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            t_hmacKey = key;
        }
        hmac.AppendData(data);
        hmac.GetHashAndReset(destination);
    }
}
