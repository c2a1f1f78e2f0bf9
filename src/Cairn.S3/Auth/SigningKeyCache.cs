using System.Collections.Concurrent;

namespace Cairn.S3.Auth;

/// <summary>
/// Derived SigV4 signing keys by (secret, date, region). Deriving costs four HMACs per request; a key
/// is valid for a whole UTC day, so nearly every request hits the cache.
/// </summary>
internal sealed class SigningKeyCache
{
    // Bounded so a flood of distinct (valid) credentials cannot grow it without limit; when full it is
    // simply emptied, which costs a few re-derivations.
    private const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<(string Secret, string Date, string Region), byte[]> _keys = new();

    public byte[] Get(string secretKey, string date, string region)
    {
        var cacheKey = (secretKey, date, region);
        if (_keys.TryGetValue(cacheKey, out var signingKey))
        {
            return signingKey;
        }
        signingKey = SigV4Crypto.DeriveSigningKey(secretKey, date, region);
        if (_keys.Count >= MaxEntries)
        {
            _keys.Clear();
        }
        _keys[cacheKey] = signingKey;
        return signingKey;
    }
}
