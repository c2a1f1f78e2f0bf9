using Cairn.Core;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.S3.Handlers;

/// <summary>Opens a request body as the decoded payload the signature promises.</summary>
internal static class RequestBody
{
    /// <summary>
    /// The decoded body: aws-chunked framing removed and its chunk signatures checked, or the raw
    /// body with its x-amz-content-sha256 checked at the end. <paramref name="declaredLength"/> is
    /// the decoded length the client declared.
    /// </summary>
    public static Stream Open(HttpContext context, AuthResult auth, out long? declaredLength)
    {
        // Kestrel's default 30 MB cap suits web forms; S3 limits are enforced per operation instead.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = null;
        }
        var request = context.Request;
        var streaming = auth.PayloadMode is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer;
        if (!streaming && (request.Headers.ContainsKey("x-amz-trailer")
            || (RequestHeaders.Value(request.Headers, "Content-Encoding")?.Contains("aws-chunked", StringComparison.OrdinalIgnoreCase) ?? false)))
        {
            // The framing would be stored as the body and the trailer never checked.
            throw S3Errors.InvalidRequest("x-amz-trailer and Content-Encoding: aws-chunked require a STREAMING-* x-amz-content-sha256.");
        }
        switch (auth.PayloadMode)
        {
            case PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer or PayloadMode.StreamingUnsignedTrailer:
                var decoded = RequestHeaders.Value(request.Headers, "x-amz-decoded-content-length");
                if (decoded is null || !long.TryParse(decoded, out var decodedLength) || decodedLength < 0)
                {
                    throw S3Errors.Of(S3ErrorCode.MissingContentLength);
                }
                declaredLength = decodedLength;
                return new AwsChunkedStream(request.Body, auth.PayloadMode, auth.ChunkSigning, decodedLength, DeclaredTrailers(request.Headers));
            case PayloadMode.SignedHex:
                declaredLength = ContentLength(request);
                return new PayloadHashVerifyingStream(request.Body, auth.PayloadSha256Hex!);
            default:
                declaredLength = ContentLength(request);
                return request.Body;
        }
    }

    /// <summary>Reads a small request document (XML) under the cap; larger is MaxMessageLengthExceeded.</summary>
    /// <remarks>
    /// Its checksum headers are not checked: on CompleteMultipartUpload they describe the object, not
    /// the document. Documents that carry their own integrity headers use <see cref="ReadVerifiedDocumentAsync"/>.
    /// </remarks>
    public static Task<MemoryStream> ReadDocumentAsync(HttpContext context, AuthResult auth, CancellationToken cancellationToken) =>
        ReadDocumentAsync(context, auth, verify: false, cancellationToken);

    /// <summary>
    /// Reads a small request document whose Content-MD5 and checksums (headers, or the trailer of an
    /// aws-chunked body) describe the document itself, and checks each one sent: a mismatch is
    /// BadDigest, as S3 answers.
    /// </summary>
    public static Task<MemoryStream> ReadVerifiedDocumentAsync(HttpContext context, AuthResult auth, CancellationToken cancellationToken) =>
        ReadDocumentAsync(context, auth, verify: true, cancellationToken);

    /// <summary>
    /// Reads the body of a configuration call (object lock, retention, legal hold, lifecycle), which S3 accepts only with an integrity header (Content-MD5 or
    /// a checksum, matching the body), and parses it with <paramref name="parse"/>.
    /// </summary>
    public static Task<T> ReadCheckedDocumentAsync<T>(HttpContext context, AuthResult auth, Func<Stream, T> parse) =>
        ReadCheckedDocumentAsync(context, auth, parse, static (document, read) => read(document));

    /// <summary>
    /// <see cref="ReadCheckedDocumentAsync{T}(HttpContext, AuthResult, Func{Stream, T})"/> for a parser that needs
    /// <paramref name="state"/> (so a static lambda does, without a closure per request).
    /// </summary>
    public static async Task<T> ReadCheckedDocumentAsync<TState, T>(HttpContext context, AuthResult auth, TState state, Func<Stream, TState, T> parse)
    {
        if (!HasIntegrityHeader(context.Request.Headers))
        {
            throw S3Errors.InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        return parse(document, state);
    }

    /// <summary>Whether the request carries Content-MD5 or a checksum of its body (in a header or announced for the trailer).</summary>
    private static bool HasIntegrityHeader(IHeaderDictionary headers)
    {
        var (values, trailer) = RequestHeaders.Checksums(headers);
        return RequestHeaders.Value(headers, "Content-MD5") is not null || values.Count > 0 || trailer is not null;
    }

    private static async Task<MemoryStream> ReadDocumentAsync(HttpContext context, AuthResult auth, bool verify, CancellationToken cancellationToken)
    {
        var body = Open(context, auth, out var declared);
        await using var decoder = body == context.Request.Body ? null : body;
        if (declared > S3Limits.MaxXmlBodyBytes)
        {
            throw S3Errors.Of(S3ErrorCode.MaxMessageLengthExceeded);
        }
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            if (buffer.Length + read > S3Limits.MaxXmlBodyBytes)
            {
                throw S3Errors.Of(S3ErrorCode.MaxMessageLengthExceeded);
            }
            buffer.Write(chunk, 0, read);
        }
        if (verify)
        {
            // The trailer has been read with the body's end: its value is known now.
            var (headerValues, trailerAlgorithm) = RequestHeaders.Checksums(context.Request.Headers);
            VerifyIntegrity(context.Request.Headers, buffer, ExpectedChecksums(body, headerValues, trailerAlgorithm));
        }
        buffer.Position = 0;
        return buffer;
    }

    /// <summary>Content-MD5 and the <paramref name="expected"/> checksums of a document, when sent, must match (BadDigest otherwise).</summary>
    private static void VerifyIntegrity(IHeaderDictionary headers, MemoryStream document, IReadOnlyDictionary<ChecksumAlgorithm, string> expected)
    {
        var bytes = document.GetBuffer().AsSpan(0, (int)document.Length);
        if (RequestHeaders.ContentMd5(headers) is { } md5 && !System.Security.Cryptography.MD5.HashData(bytes).AsSpan().SequenceEqual(md5))
        {
            throw S3Errors.Of(S3ErrorCode.BadDigest);
        }
        foreach (var (algorithm, value) in expected)
        {
            using var checksum = IncrementalChecksum.Create(algorithm);
            checksum.Append(bytes);
            if (checksum.GetBase64AndReset() != value)
            {
                throw S3Errors.Of(S3ErrorCode.BadDigest,
                    $"The {ChecksumAlgorithms.WireName(algorithm)} you specified did not match the calculated checksum.");
            }
        }
    }

    /// <summary>The checksum values the client claims: from headers, and from the trailer once the body has ended.</summary>
    public static IReadOnlyDictionary<ChecksumAlgorithm, string> ExpectedChecksums(Stream body,
        IReadOnlyDictionary<ChecksumAlgorithm, string> headerValues, ChecksumAlgorithm? trailerAlgorithm)
    {
        if (trailerAlgorithm is not { } algorithm || body is not AwsChunkedStream chunked)
        {
            return headerValues;
        }
        var expected = new Dictionary<ChecksumAlgorithm, string>(headerValues);
        if (chunked.Trailers.TryGetValue(ChecksumAlgorithms.HeaderName(algorithm), out var value))
        {
            if (!RequestHeaders.IsValidChecksum(algorithm, value))
            {
                throw S3Errors.InvalidRequest($"Value for {ChecksumAlgorithms.HeaderName(algorithm)} trailing header is invalid.");
            }
            expected[algorithm] = value;
        }
        return expected;
    }

    /// <summary>
    /// Content-Length, or 0 for a request with neither Content-Length nor a chunked transfer coding
    /// (RFC 9112 §6.3: such a request has no body). A chunked body of unknown length is MissingContentLength, as in S3.
    /// </summary>
    private static long ContentLength(HttpRequest request)
    {
        if (request.ContentLength is { } length)
        {
            return length;
        }
        return request.Headers.TransferEncoding.Count == 0 ? 0 : throw S3Errors.Of(S3ErrorCode.MissingContentLength);
    }

    private static string[] DeclaredTrailers(IHeaderDictionary headers)
    {
        var value = RequestHeaders.Value(headers, "x-amz-trailer");
        if (value is null)
        {
            return [];
        }
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = names[i].ToLowerInvariant();
        }
        return names;
    }
}
