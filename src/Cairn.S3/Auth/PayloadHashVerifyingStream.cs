using System.Security.Cryptography;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>
/// A read-only wrapper that hashes every byte read and, at end of stream, compares the SHA-256 with the
/// signed <c>x-amz-content-sha256</c>; a mismatch throws XAmzContentSHA256Mismatch from the read that
/// would have returned 0. Consumers must not act on the body before that read.
/// </summary>
/// <remarks>Does not own <c>inner</c> (the request body belongs to the server).</remarks>
public sealed class PayloadHashVerifyingStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private readonly byte[] _expected = new byte[32];
    private readonly string _expectedHex;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    /// <summary>Wraps <paramref name="inner"/>, expecting its bytes to hash to <paramref name="expectedSha256Hex"/>.</summary>
    public PayloadHashVerifyingStream(Stream inner, string expectedSha256Hex)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!SigV4Crypto.TryParseHex(expectedSha256Hex, _expected))
        {
            throw new ArgumentException("Expected 64 hex characters.", nameof(expectedSha256Hex));
        }
        _inner = inner;
        _expectedHex = expectedSha256Hex.ToLowerInvariant();
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        return OnRead(buffer[..read], buffer.Length);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return OnRead(buffer.Span[..read], buffer.Length);
    }

    private int OnRead(ReadOnlySpan<byte> data, int requested)
    {
        if (data.Length > 0)
        {
            _hash.AppendData(data);
        }
        else if (requested > 0 && !_verified)
        {
            Span<byte> actual = stackalloc byte[32];
            _hash.GetHashAndReset(actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, _expected))
            {
                throw S3Errors.XAmzContentSHA256Mismatch(_expectedHex, Convert.ToHexStringLower(actual));
            }
            _verified = true;
        }
        return data.Length;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
