using Cairn.Core;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>
/// The decoded body of an upload (PutObject, UploadPart) with what the client claims about it:
/// the declared length, the checksums to compute, and the claimed values (header or trailer).
/// Disposing it releases the decoder, never Kestrel's own body stream.
/// </summary>
internal sealed class UploadBody : IAsyncDisposable
{
    private readonly Stream? _decoder;

    private UploadBody(Stream stream, long? declaredLength, List<ChecksumAlgorithm> checksums,
        Func<IReadOnlyDictionary<ChecksumAlgorithm, string>> expectedChecksums, Stream? decoder)
    {
        Stream = stream;
        DeclaredLength = declaredLength;
        Checksums = checksums;
        ExpectedChecksums = expectedChecksums;
        _decoder = decoder;
    }

    public Stream Stream { get; }

    public long? DeclaredLength { get; }

    /// <summary>Algorithms to compute while reading: those claimed in a header or announced as a trailer.</summary>
    public List<ChecksumAlgorithm> Checksums { get; }

    /// <summary>The claimed values; call only after the body has been read to its end (trailers come last).</summary>
    public Func<IReadOnlyDictionary<ChecksumAlgorithm, string>> ExpectedChecksums { get; }

    /// <summary>Opens the body of a single upload; over 5 GiB declared is EntityTooLarge.</summary>
    public static UploadBody Open(HttpContext context, AuthResult auth)
    {
        var (headerChecksums, trailerChecksum) = RequestHeaders.Checksums(context.Request.Headers);
        var checksums = new List<ChecksumAlgorithm>(headerChecksums.Keys);
        if (trailerChecksum is { } trailer)
        {
            checksums.Add(trailer);
        }
        var stream = RequestBody.Open(context, auth, out var declaredLength);
        var decoder = stream == context.Request.Body ? null : stream;
        if (declaredLength > S3Limits.MaxSinglePutBytes)
        {
            decoder?.Dispose();
            throw S3Errors.Of(S3ErrorCode.EntityTooLarge);
        }
        return new UploadBody(stream, declaredLength, checksums,
            () => RequestBody.ExpectedChecksums(stream, headerChecksums, trailerChecksum), decoder);
    }

    public ValueTask DisposeAsync() => _decoder?.DisposeAsync() ?? ValueTask.CompletedTask;
}
