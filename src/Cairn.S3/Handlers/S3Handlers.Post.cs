using System.Globalization;
using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    /// <summary>
    /// A browser upload (POST Object): by the time it gets here the middleware has read the form up to the
    /// file, checked its signature and policy, set the key from the form and made its fields headers, and
    /// the decision has judged s3:PutObject on that key. The file streams into the store as a PutObject body,
    /// bounded by the policy's content-length-range; the answer follows success_action_redirect or
    /// success_action_status (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html).
    /// </summary>
    private async Task PostObjectAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var form = request.Form ?? throw new InvalidOperationException("A POST upload reaches its handler with its form read.");
        var headers = context.Request.Headers;
        var lockState = await ReadLockHeadersAsync(headers, bucket, context.RequestAborted).ConfigureAwait(false);
        // A form's tags are the tagging field's XML (an x-amz-tagging field stands as the header would).
        var tags = form.Field("tagging") is { } tagging
            ? TagSets.Validate(S3XmlReader.ReadTagging(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(tagging))), forBucket: false)
            : TagSets.FromHeader(RequestHeaders.Value(headers, "x-amz-tagging"));
        var (checksumValues, _) = RequestHeaders.Checksums(headers);
        var (min, max) = request.FormSizeRange ?? (0, S3Limits.MaxSinglePutBytes);
        await using var file = new SizeBoundedStream(form.File, min, Math.Min(max, S3Limits.MaxSinglePutBytes));
        var result = await objects.PutAsync(new PutObjectCommand
        {
            Bucket = bucket,
            Key = key,
            Body = file,
            DeclaredLength = null,
            Headers = RequestHeaders.ContentHeaders(headers),
            UserMetadata = RequestHeaders.UserMetadata(headers),
            Checksums = [.. checksumValues.Keys],
            ExpectedChecksums = () => checksumValues,
            Tags = tags,
            Lock = lockState,
            Encryption = EncryptionHeaders.ForWrite(headers),
        }, context.RequestAborted).ConfigureAwait(false);
        switch (result.Status)
        {
            case PutObjectStatus.Created:
                break;
            case PutObjectStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case PutObjectStatus.ChecksumMismatch:
                throw S3Errors.Of(S3ErrorCode.BadDigest,
                    $"The {ChecksumAlgorithms.WireName(result.MismatchedChecksum!.Value)} you specified did not match the calculated checksum.");
            case PutObjectStatus.LockNeedsIntegrity:
                throw S3Errors.InvalidRequest("An x-amz-checksum- field is required for POST uploads with Object Lock parameters");
            default:
                throw new InvalidOperationException($"Unexpected put status {result.Status}.");
        }

        var version = result.Version;
        var response = context.Response;
        var etag = ETag.Quote(version.ETag);
        var location = ObjectUrl(context.Request, request, key);
        response.Headers.ETag = etag;
        response.Headers.Location = location;
        EncryptionHeaders.Write(response, version.EncryptionMode, headers);
        WriteVersionIdHeader(response, version.VersionId);
        WriteChecksumHeaders(response, version);
        if (RedirectTarget(form) is { } redirect)
        {
            // The browser follows the redirect to the page the form named, told what was stored.
            var separator = redirect.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            response.Headers.Location = $"{redirect}{separator}bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(key)}&etag={Uri.EscapeDataString(etag)}";
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.ContentLength = 0;
            return;
        }
        switch (form.Field("success_action_status"))
        {
            case "201":
                await XmlResponse.WriteAsync(context, StatusCodes.Status201Created, (location, bucket, key, etag),
                    static (writer, state) => PostResponseWriter.Write(writer, state.location, state.bucket, state.key, state.etag)).ConfigureAwait(false);
                return;
            case "200":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentLength = 0;
                return;
            default:
                // S3's default, and its answer to any other value.
                response.StatusCode = StatusCodes.Status204NoContent;
                return;
        }
    }

    /// <summary>The redirect the form asks for, when it is an absolute http(s) URL; S3 ignores any other.</summary>
    private static string? RedirectTarget(PostForm form)
    {
        var target = form.Field("success_action_redirect") ?? form.Field("redirect");
        return Uri.TryCreate(target, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? target
            : null;
    }

    /// <summary>The stored object's URL, in the addressing style the request used.</summary>
    private static string ObjectUrl(HttpRequest httpRequest, S3Request request, string key)
    {
        var path = request.IsVirtualHostStyle ? "/" + S3UrlEncoding.Encode(key) : $"/{request.Bucket}/{S3UrlEncoding.Encode(key)}";
        return string.Create(CultureInfo.InvariantCulture, $"{httpRequest.Scheme}://{httpRequest.Host}{path}");
    }

    /// <summary>
    /// A form's file, held to the policy's content-length-range as it streams: past the upper bound it fails
    /// at once (EntityTooLarge), short of the lower one at its end (EntityTooSmall), so nothing is committed.
    /// </summary>
    private sealed class SizeBoundedStream(Stream inner, long min, long max) : ReadOnlyStream
    {
        private long _read;

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        private int Count(int read)
        {
            _read += read;
            if (_read > max)
            {
                throw new S3Exception(S3ErrorCode.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size")
                {
                    Details = [new("MaxSizeAllowed", max.ToString(CultureInfo.InvariantCulture))],
                };
            }
            if (read == 0 && _read < min)
            {
                throw new S3Exception(S3ErrorCode.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size")
                {
                    Details = [new("ProposedSize", _read.ToString(CultureInfo.InvariantCulture)), new("MinSizeAllowed", min.ToString(CultureInfo.InvariantCulture))],
                };
            }
            return read;
        }
    }
}
