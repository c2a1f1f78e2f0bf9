using System.Security.Cryptography;
using Cairn.S3.Errors;

namespace Cairn.S3.Auth;

/// <summary>
/// A read-only wrapper that hashes every byte read and, at end of stream, compares the SHA-256 with the
/// signed <c>x-amz-content-sha256</c>; a mismatch throws XAmzContentSHA256Mismatch from the read that
/// would have returned 0. Consumers must not act on the body before that read.
/// </summary>
/// <remarks>Does not own <c>inner</c> (the request body belongs to the server).</remarks>
public sealed class PayloadHashVerifyingStream : Stream
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
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        return OnRead(buffer[..read], buffer.Length);
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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
