using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private const long MaxCopySourceBytes = 5L * 1024 * 1024 * 1024;

    private async Task CopyObjectAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var headers = context.Request.Headers;
        var (sourceBucket, sourceKey, sourceVersionId) = CopySource(RequestHeaders.Value(headers, "x-amz-copy-source") ?? "");
        var directive = RequestHeaders.Value(headers, "x-amz-metadata-directive") ?? "COPY";
        var replace = directive switch
        {
            "COPY" => false,
            "REPLACE" => true,
            _ => throw S3Errors.InvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive),
        };
        var tagging = RequestHeaders.Value(headers, "x-amz-tagging-directive") ?? "COPY";
        var replaceTags = tagging switch
        {
            "COPY" => false,
            "REPLACE" => true,
            _ => throw S3Errors.InvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", tagging),
        };
        // The tags of the copy: the source's (COPY), or those of x-amz-tagging (REPLACE); without
        // REPLACE, x-amz-tagging is ignored, as AWS documents.
        var tags = replaceTags ? TagSets.FromHeader(RequestHeaders.Value(headers, "x-amz-tagging")) : null;
        // A copy onto itself that asks for encryption changes it (how S3 objects get encrypted, or change SSE-C keys).
        var encrypting = RequestHeaders.Value(headers, "x-amz-server-side-encryption") is not null
            || RequestHeaders.Value(headers, "x-amz-server-side-encryption-customer-algorithm") is not null;
        if (!replace && !encrypting && sourceBucket == bucket && sourceKey == key && sourceVersionId is null)
        {
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        // The copy's lock state is what this request asks for; the source's is not copied, as in S3.
        var lockState = await ReadLockHeadersAsync(headers, bucket, context.RequestAborted).ConfigureAwait(false);
        var result = await objects.CopyAsync(new CopyObjectCommand
        {
            SourceBucket = sourceBucket,
            SourceKey = sourceKey,
            SourceVersionId = sourceVersionId,
            Bucket = bucket,
            Key = key,
            SourceConditions = RequestHeaders.Conditions(headers, "x-amz-copy-source-"),
            ReplaceMetadata = replace,
            Headers = RequestHeaders.ContentHeaders(headers),
            UserMetadata = RequestHeaders.UserMetadata(headers),
            Precondition = RequestHeaders.WritePrecondition(headers),
            MaxSourceSize = MaxCopySourceBytes,
            ReplaceTags = replaceTags,
            Tags = tags ?? new Dictionary<string, string>(),
            Lock = lockState,
            Encryption = EncryptionHeaders.ForWrite(headers),
            SourceCustomerKey = EncryptionHeaders.CopySourceKeyOf(headers),
        }, context.RequestAborted).ConfigureAwait(false);

        var version = result.Status switch
        {
            CopyObjectStatus.Copied => result.Version,
            CopyObjectStatus.NoSuchBucket => throw S3Errors.NoSuchBucket(bucket),
            CopyObjectStatus.NoSuchSourceBucket => throw S3Errors.NoSuchBucket(sourceBucket),
            CopyObjectStatus.NoSuchSourceKey => throw S3Errors.NoSuchKey(sourceKey),
            CopyObjectStatus.NoSuchSourceVersion => throw S3Errors.NoSuchVersion(sourceKey, sourceVersionId),
            CopyObjectStatus.SourceIsDeleteMarker => throw S3Errors.InvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id."),
            CopyObjectStatus.SourceTooLarge => throw S3Errors.InvalidRequest(
                $"The specified copy source is larger than the maximum allowable size for a copy source: {MaxCopySourceBytes}"),
            _ => throw S3Errors.Of(S3ErrorCode.PreconditionFailed),
        };
        WriteVersionIdHeader(context.Response, version.VersionId);
        EncryptionHeaders.Write(context.Response, version.EncryptionMode, headers);
        WriteCopySourceVersionHeader(context.Response, result.SourceVersionId, sourceVersionId);
        await WriteExpirationHeaderAsync(context, version).ConfigureAwait(false);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, version,
            static (writer, version) => CopyObjectResultWriter.Write(writer, CopyResultOf(version)))
            .ConfigureAwait(false);
    }

    /// <summary>x-amz-copy-source-version-id: the source version copied, when it has an id or the request named one.</summary>
    private static void WriteCopySourceVersionHeader(HttpResponse response, string? copied, string? asked)
    {
        if (copied is not null && (asked is not null || copied != ObjectService.NullVersionId))
        {
            response.Headers["x-amz-copy-source-version-id"] = copied;
        }
    }

    private static Xml.CopyObjectResult CopyResultOf(ObjectVersion version) => new(version.ETag, version.LastModified)
    {
        ChecksumType = version.Checksums.Count > 0 ? "FULL_OBJECT" : null,
        ChecksumCRC32 = version.Checksums.GetValueOrDefault("CRC32"),
        ChecksumCRC32C = version.Checksums.GetValueOrDefault("CRC32C"),
        ChecksumCRC64NVME = version.Checksums.GetValueOrDefault("CRC64NVME"),
        ChecksumSHA1 = version.Checksums.GetValueOrDefault("SHA1"),
        ChecksumSHA256 = version.Checksums.GetValueOrDefault("SHA256"),
    };

    /// <summary>Parses x-amz-copy-source: <c>[/]bucket/key[?versionId=...]</c>, URL-encoded; the version id is null when not given.</summary>
    internal static (string Bucket, string Key, string? VersionId) CopySource(string header)
    {
        var value = header;
        string? versionId = null;
        var question = value.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            var versionQuery = value[(question + 1)..];
            value = value[..question];
            if (versionQuery.StartsWith("versionId=", StringComparison.Ordinal))
            {
                versionId = Uri.UnescapeDataString(versionQuery["versionId=".Length..]);
                if (versionId.Length == 0)
                {
                    throw S3Errors.InvalidArgument("Version id cannot be the empty string", "x-amz-copy-source", header);
                }
                if (!IsWellFormedVersionId(versionId))
                {
                    throw S3Errors.InvalidArgument("Invalid version id specified", "x-amz-copy-source", header);
                }
            }
        }
        var decoded = Routing.S3RequestParser.DecodePath(value).TrimStart('/');
        var slash = decoded.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == decoded.Length - 1)
        {
            throw S3Errors.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", header);
        }
        var key = decoded[(slash + 1)..];
        if (ObjectKey.Validate(key) != ObjectKey.Validity.Valid)
        {
            throw S3Errors.InvalidArgument("Copy Source key is not valid", "x-amz-copy-source", header);
        }
        return (decoded[..slash], key, versionId);
    }
}
