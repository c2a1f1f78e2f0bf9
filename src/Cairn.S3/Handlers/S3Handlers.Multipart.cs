using System.Globalization;
using Cairn.Core;
using Cairn.Engine.Multipart;
using Cairn.Engine.Objects;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task CreateMultipartUploadAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var headers = context.Request.Headers;
        ChecksumAlgorithm? algorithm = null;
        if (RequestHeaders.Value(headers, "x-amz-checksum-algorithm") is { } algorithmName)
        {
            algorithm = ChecksumAlgorithms.TryParseWireName(algorithmName, out var parsed) ? parsed
                : throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        }
        var checksumType = RequestHeaders.Value(headers, "x-amz-checksum-type")?.ToUpperInvariant();
        if (checksumType is not null)
        {
            if (algorithm is not { } chosen)
            {
                throw S3Errors.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
            }
            if (!MultipartChecksum.IsSupported(chosen, checksumType))
            {
                throw S3Errors.InvalidRequest($"The {checksumType} checksum type cannot be used with the {ChecksumAlgorithms.WireName(chosen)} checksum algorithm.");
            }
        }
        var lockState = await ReadLockHeadersAsync(headers, bucket, context.RequestAborted).ConfigureAwait(false);
        var upload = await multipart.CreateAsync(new CreateMultipartCommand
        {
            Bucket = bucket,
            Key = key,
            Headers = RequestHeaders.ContentHeaders(headers),
            UserMetadata = RequestHeaders.UserMetadata(headers),
            ChecksumAlgorithm = algorithm,
            ChecksumType = checksumType,
            // Checked as on PutObject, before anything is written: a bad tag set creates no upload.
            Tags = TagSets.FromHeader(RequestHeaders.Value(headers, "x-amz-tagging")),
            Lock = lockState,
            Encryption = EncryptionHeaders.ForWrite(headers),
        }, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        EncryptionHeaders.Write(context.Response, upload.EncryptionMode, headers);

        if (upload.ChecksumAlgorithm is not null)
        {
            context.Response.Headers["x-amz-checksum-algorithm"] = upload.ChecksumAlgorithm;
            context.Response.Headers["x-amz-checksum-type"] = upload.ChecksumType;
        }
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, new InitiateMultipartUploadResult(bucket, key, upload.UploadId),
            static (writer, result) => InitiateMultipartUploadResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private async Task UploadPartAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var (uploadId, partNumber) = PartAddress(request);
        var headers = context.Request.Headers;
        await using var body = UploadBody.Open(context, auth);
        var result = await multipart.UploadPartAsync(new UploadPartCommand
        {
            Bucket = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            Body = body.Stream,
            DeclaredLength = body.DeclaredLength,
            Checksums = body.Checksums,
            ContentMd5 = RequestHeaders.ContentMd5(headers),
            ExpectedChecksums = body.ExpectedChecksums,
            CustomerKey = EncryptionHeaders.CustomerKeyOf(headers),
        }, context.RequestAborted).ConfigureAwait(false);
        var part = PartOrThrow(result, uploadId, request);
        context.Response.Headers.ETag = ETag.Quote(part.ETag);
        EncryptionHeaders.Write(context.Response, result.Encryption, headers);
        foreach (var (wireName, value) in part.Checksums)
        {
            if (ChecksumAlgorithms.TryParseWireName(wireName, out var algorithm))
            {
                context.Response.Headers[ChecksumAlgorithms.HeaderName(algorithm)] = value;
            }
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task UploadPartCopyAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var (uploadId, partNumber) = PartAddress(request);
        var headers = context.Request.Headers;
        var (sourceBucket, sourceKey, sourceVersionId) = CopySource(RequestHeaders.Value(headers, "x-amz-copy-source")!);
        var range = RequestHeaders.Value(headers, "x-amz-copy-source-range");
        var result = await multipart.UploadPartCopyAsync(new UploadPartCopyCommand
        {
            Bucket = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            SourceBucket = sourceBucket,
            SourceKey = sourceKey,
            SourceVersionId = sourceVersionId,
            SourceRange = CopySourceRange(range),
            SourceConditions = RequestHeaders.Conditions(headers, "x-amz-copy-source-"),
            SourceCustomerKey = EncryptionHeaders.CopySourceKeyOf(headers),
            CustomerKey = EncryptionHeaders.CustomerKeyOf(headers),
        }, objects, context.RequestAborted).ConfigureAwait(false);
        var part = result.Status switch
        {
            UploadPartStatus.NoSuchSourceBucket => throw S3Errors.NoSuchBucket(sourceBucket),
            UploadPartStatus.NoSuchSourceKey => throw S3Errors.NoSuchKey(sourceKey),
            UploadPartStatus.NoSuchSourceVersion => throw S3Errors.NoSuchVersion(sourceKey, sourceVersionId),
            UploadPartStatus.SourceIsDeleteMarker => throw S3Errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id."),
            UploadPartStatus.SourcePreconditionFailed => throw S3Errors.Of(S3ErrorCode.PreconditionFailed),
            // What S3 answers (400 InvalidArgument, not 416 InvalidRange as for GET): fsspec/s3fs#321 and
            // versity/versitygw#610 quote it from AWS.
            UploadPartStatus.InvalidSourceRange => throw S3Errors.InvalidArgument(
                "Range specified is not valid for source object of size: " + result.SourceSize.ToString(CultureInfo.InvariantCulture),
                "x-amz-copy-source-range", range),
            _ => PartOrThrow(result, uploadId, request),
        };
        if (sourceVersionId is not null)
        {
            context.Response.Headers["x-amz-copy-source-version-id"] = sourceVersionId;
        }
        EncryptionHeaders.Write(context.Response, result.Encryption, headers);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, new CopyPartResult(part.ETag, part.LastModified),
            static (writer, result) => CopyPartResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private async Task CompleteMultipartUploadAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var uploadId = QueryValue(request.Query, "uploadId") ?? throw S3Errors.NoSuchUpload("");
        using var document = await RequestBody.ReadDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var listed = S3XmlReader.ReadCompleteMultipartUpload(document);
        var parts = new List<CompletePartCommand>(listed.Count);
        foreach (var part in listed)
        {
            parts.Add(new CompletePartCommand(part.PartNumber, part.ETag, ListedChecksums(part)));
        }
        var headers = context.Request.Headers;
        var (headerChecksums, _) = RequestHeaders.Checksums(headers);
        (ChecksumAlgorithm Algorithm, string Value)? expected = null;
        foreach (var (algorithm, value) in headerChecksums)
        {
            expected = (algorithm, value);
        }
        var statedSize = StatedObjectSize(headers);
        var result = await multipart.CompleteAsync(new CompleteMultipartCommand
        {
            Bucket = bucket,
            Key = key,
            UploadId = uploadId,
            Parts = parts,
            Precondition = RequestHeaders.WritePrecondition(headers),
            ExpectedChecksum = expected,
            ExpectedChecksumType = StatedChecksumType(headers),
            ExpectedSize = statedSize,
        }, context.RequestAborted).ConfigureAwait(false);
        var version = result.Status switch
        {
            CompleteMultipartStatus.Completed => result.Version,
            CompleteMultipartStatus.NoSuchUpload => throw S3Errors.NoSuchUpload(uploadId),
            CompleteMultipartStatus.NoSuchBucket => throw S3Errors.NoSuchBucket(bucket),
            CompleteMultipartStatus.InvalidPartOrder => throw S3Errors.Of(S3ErrorCode.InvalidPartOrder),
            CompleteMultipartStatus.EntityTooSmall => throw S3Errors.Of(S3ErrorCode.EntityTooSmall),
            CompleteMultipartStatus.PreconditionFailed => throw S3Errors.Of(S3ErrorCode.PreconditionFailed),
            CompleteMultipartStatus.ChecksumMismatch => throw S3Errors.Of(S3ErrorCode.BadDigest, "The checksum you specified for the object did not match the calculated checksum."),
            CompleteMultipartStatus.ChecksumAlgorithmMismatch => throw S3Errors.InvalidRequest(
                $"Checksum Type mismatch occurred, expected checksum Type: {result.Detail?.ToLowerInvariant() ?? "null"}, actual checksum Type: {ChecksumAlgorithms.WireName(expected!.Value.Algorithm).ToLowerInvariant()}"),
            CompleteMultipartStatus.ChecksumTypeMismatch => throw S3Errors.Of(S3ErrorCode.BadDigest,
                "The checksum type you specified did not match the checksum type of the multipart upload."),
            CompleteMultipartStatus.SizeMismatch => throw S3Errors.InvalidRequest(
                $"The provided 'x-amz-mp-object-size' header value {statedSize} does not match the size of the listed parts ({result.Detail})."),
            _ => throw S3Errors.Of(S3ErrorCode.InvalidPart),
        };
        WriteVersionIdHeader(context.Response, version.VersionId);
        EncryptionHeaders.Write(context.Response, version.EncryptionMode, headers);
        await WriteExpirationHeaderAsync(context, version).ConfigureAwait(false);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, CompleteResultOf(context, version),
            static (writer, result) => CompleteMultipartUploadResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private async Task AbortMultipartUploadAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var uploadId = QueryValue(request.Query, "uploadId") ?? "";
        if (!await multipart.AbortAsync(bucket, key, uploadId, context.RequestAborted).ConfigureAwait(false))
        {
            throw S3Errors.NoSuchUpload(uploadId);
        }
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>x-amz-checksum-type on Complete: <c>COMPOSITE</c> or <c>FULL_OBJECT</c> (any case, as on Create).</summary>
    private static string? StatedChecksumType(IHeaderDictionary headers)
    {
        var value = RequestHeaders.Value(headers, "x-amz-checksum-type")?.ToUpperInvariant();
        return value is null or MultipartChecksum.Composite or MultipartChecksum.FullObject ? value
            : throw S3Errors.InvalidRequest("Value for x-amz-checksum-type header is invalid.");
    }

    /// <summary>x-amz-mp-object-size: a non-negative decimal integer.</summary>
    private static long? StatedObjectSize(IHeaderDictionary headers)
    {
        var value = RequestHeaders.Value(headers, "x-amz-mp-object-size");
        if (value is null)
        {
            return null;
        }
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size
            : throw S3Errors.InvalidArgument("The x-amz-mp-object-size header must be a non-negative integer.", "x-amz-mp-object-size", value);
    }

    private static Dictionary<string, string> ListedChecksums(CompletedPartXml part)
    {
        var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
        AddIfPresent(checksums, "CRC32", part.ChecksumCRC32);
        AddIfPresent(checksums, "CRC32C", part.ChecksumCRC32C);
        AddIfPresent(checksums, "CRC64NVME", part.ChecksumCRC64NVME);
        AddIfPresent(checksums, "SHA1", part.ChecksumSHA1);
        AddIfPresent(checksums, "SHA256", part.ChecksumSHA256);
        return checksums;

        static void AddIfPresent(Dictionary<string, string> checksums, string name, string? value)
        {
            if (value is not null)
            {
                checksums[name] = value;
            }
        }
    }

    private static (string UploadId, int PartNumber) PartAddress(S3Request request)
    {
        var uploadId = QueryValue(request.Query, "uploadId") ?? throw S3Errors.InvalidRequest("A part upload needs an uploadId.");
        var text = QueryValue(request.Query, "partNumber");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber) || partNumber is < 1 or > S3Limits.MaxPartNumber)
        {
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", text);
        }
        return (uploadId, partNumber);
    }

    private static UploadedPart PartOrThrow(UploadPartResult result, string uploadId, S3Request request) => result.Status switch
    {
        UploadPartStatus.Stored => result.Part,
        UploadPartStatus.NoSuchUpload => throw S3Errors.NoSuchUpload(uploadId),
        UploadPartStatus.IncompleteBody => throw S3Errors.Of(S3ErrorCode.IncompleteBody),
        UploadPartStatus.BadDigest => throw S3Errors.Of(S3ErrorCode.BadDigest),
        UploadPartStatus.ChecksumMismatch => throw S3Errors.Of(S3ErrorCode.BadDigest,
            $"The {ChecksumAlgorithms.WireName(result.MismatchedChecksum!.Value)} you specified did not match the calculated checksum."),
        _ => throw new InvalidOperationException($"Unexpected part status {result.Status} for {request.Resource}."),
    };

    /// <summary>
    /// x-amz-copy-source-range: exactly <c>bytes=first-last</c>, both offsets given, first &lt;= last.
    /// Anything else (no <c>bytes=</c>, an open or suffix range, several ranges, first &gt; last) is
    /// 400 InvalidArgument with S3's message (gaul/s3proxy#304 quotes it from AWS), before the
    /// source is looked at.
    /// </summary>
    private static (long First, long Last)? CopySourceRange(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var spec = value.StartsWith("bytes=", StringComparison.Ordinal) ? value[6..] : null;
        var dash = spec?.IndexOf('-', StringComparison.Ordinal) ?? -1;
        if (spec is null || dash <= 0
            || !long.TryParse(spec.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(spec.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last) || last < first)
        {
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                "x-amz-copy-source-range", value);
        }
        return (first, last);
    }

    private static CompleteMultipartUploadResult CompleteResultOf(HttpContext context, ObjectVersion version) =>
        new(Location: $"{context.Request.Scheme}://{context.Request.Host}/{version.Bucket}/{Uri.EscapeDataString(version.Key)}",
            Bucket: version.Bucket, Key: version.Key, ETag: version.ETag)
        {
            ChecksumType = version.Checksums.Count > 0 ? version.ChecksumType : null,
            ChecksumCRC32 = version.Checksums.GetValueOrDefault("CRC32"),
            ChecksumCRC32C = version.Checksums.GetValueOrDefault("CRC32C"),
            ChecksumCRC64NVME = version.Checksums.GetValueOrDefault("CRC64NVME"),
            ChecksumSHA1 = version.Checksums.GetValueOrDefault("SHA1"),
            ChecksumSHA256 = version.Checksums.GetValueOrDefault("SHA256"),
        };
}
