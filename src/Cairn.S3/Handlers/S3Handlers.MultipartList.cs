using System.Globalization;
using Cairn.Core;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task ListPartsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var uploadId = QueryValue(request.Query, "uploadId") ?? "";
        var marker = NonNegativeInt(QueryValue(request.Query, "part-number-marker"), "part-number-marker") ?? 0;
        var maxParts = Math.Min(NonNegativeInt(QueryValue(request.Query, "max-parts"), "max-parts") ?? S3Limits.MaxKeys, S3Limits.MaxKeys);
        var found = await multipart.ListPartsAsync(bucket, key, uploadId, marker, maxParts, context.RequestAborted).ConfigureAwait(false)
            ?? throw S3Errors.NoSuchUpload(uploadId);
        var (upload, listing) = found;
        var owner = OwnerOf(auth);
        var parts = new List<PartEntry>(listing.Parts.Count);
        foreach (var part in listing.Parts)
        {
            parts.Add(new PartEntry(part.PartNumber, part.LastModified, part.ETag, part.Size)
            {
                ChecksumCRC32 = part.Checksums.GetValueOrDefault("CRC32"),
                ChecksumCRC32C = part.Checksums.GetValueOrDefault("CRC32C"),
                ChecksumCRC64NVME = part.Checksums.GetValueOrDefault("CRC64NVME"),
                ChecksumSHA1 = part.Checksums.GetValueOrDefault("SHA1"),
                ChecksumSHA256 = part.Checksums.GetValueOrDefault("SHA256"),
            });
        }
        var result = new ListPartsResult
        {
            Bucket = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumberMarker = marker,
            NextPartNumberMarker = listing.Parts.Count > 0 ? listing.Parts[^1].PartNumber : marker,
            MaxParts = maxParts,
            IsTruncated = listing.IsTruncated,
            Parts = parts,
            Initiator = owner,
            Owner = owner,
            ChecksumAlgorithm = upload.ChecksumAlgorithm,
            ChecksumType = upload.ChecksumType,
        };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, result,
            static (writer, result) => ListPartsResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private async Task ListMultipartUploadsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var query = request.Query;
        var prefix = QueryValue(query, "prefix") ?? "";
        var delimiter = Delimiter(query);
        var keyMarker = QueryValue(query, "key-marker");
        var uploadIdMarker = QueryValue(query, "upload-id-marker");
        var maxUploads = Math.Min(NonNegativeInt(QueryValue(query, "max-uploads"), "max-uploads") ?? S3Limits.MaxKeys, S3Limits.MaxKeys);
        var encode = UrlEncodingRequested(query);
        var listing = await multipart.ListUploadsAsync(bucket,
            new MultipartUploadsQuery(prefix, delimiter, keyMarker, keyMarker is null ? null : uploadIdMarker, maxUploads),
            context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        var owner = OwnerOf(auth);
        var uploads = new List<UploadEntry>(listing.Uploads.Count);
        foreach (var upload in listing.Uploads)
        {
            uploads.Add(new UploadEntry(S3UrlEncoding.EncodeIf(encode, upload.Key)!, upload.UploadId, upload.Initiated)
            {
                Initiator = owner,
                Owner = owner,
                ChecksumAlgorithm = upload.ChecksumAlgorithm,
                ChecksumType = upload.ChecksumType,
            });
        }
        var result = new ListMultipartUploadsResult
        {
            Bucket = bucket,
            KeyMarker = S3UrlEncoding.EncodeIf(encode, keyMarker) ?? "",
            UploadIdMarker = uploadIdMarker ?? "",
            NextKeyMarker = S3UrlEncoding.EncodeIf(encode, listing.NextKeyMarker),
            NextUploadIdMarker = listing.NextUploadIdMarker,
            Prefix = S3UrlEncoding.EncodeIf(encode, prefix)!,
            Delimiter = S3UrlEncoding.EncodeIf(encode, delimiter),
            MaxUploads = maxUploads,
            IsTruncated = listing.IsTruncated,
            EncodingType = encode ? "url" : null,
            Uploads = uploads,
            CommonPrefixes = EncodeAll(listing.CommonPrefixes, encode),
        };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, result,
            static (writer, result) => ListMultipartUploadsResultWriter.Write(writer, result)).ConfigureAwait(false);
    }

    private static int? NonNegativeInt(string? value, string name)
    {
        if (value is null)
        {
            return null;
        }
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
            : throw S3Errors.InvalidArgument($"Provided {name} not an integer or within integer range", name, value);
    }
}
