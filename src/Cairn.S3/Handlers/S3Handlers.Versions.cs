using Cairn.Core;
using Cairn.Engine.Buckets;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task ListObjectVersionsAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        var query = request.Query;
        var prefix = QueryValue(query, "prefix") ?? "";
        var delimiter = Delimiter(query);
        var maxKeys = MaxKeys(QueryValue(query, "max-keys"));
        var encode = UrlEncodingRequested(query);
        var keyMarker = QueryValue(query, "key-marker");
        var versionIdMarker = QueryValue(query, "version-id-marker");
        if (!string.IsNullOrEmpty(versionIdMarker))
        {
            if (!IsWellFormedVersionId(versionIdMarker))
            {
                throw S3Errors.InvalidArgument("Invalid version id specified", "version-id-marker", versionIdMarker);
            }
            if (string.IsNullOrEmpty(keyMarker))
            {
                throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
            }
        }

        var result = await objects.ListVersionsAsync(bucket,
            new ListVersionsQuery(prefix, delimiter, string.IsNullOrEmpty(keyMarker) ? null : keyMarker,
                string.IsNullOrEmpty(versionIdMarker) ? null : versionIdMarker, maxKeys),
            context.RequestAborted).ConfigureAwait(false);
        if (!result.BucketExists)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        var listing = result.Listing!;
        var owner = OwnerOf(auth);
        var versions = new List<VersionEntry>(listing.Versions.Count);
        foreach (var version in listing.Versions)
        {
            versions.Add(new VersionEntry(S3UrlEncoding.EncodeIf(encode, version.Key)!, version.VersionId, version.IsLatest, version.LastModified,
                version.ETag, version.Size)
            {
                IsDeleteMarker = version.IsDeleteMarker,
                Owner = owner,
                StorageClass = version.StorageClass ?? "STANDARD",
            });
        }
        var model = new Xml.ListVersionsResult
        {
            Name = bucket,
            Prefix = S3UrlEncoding.EncodeIf(encode, prefix)!,
            KeyMarker = S3UrlEncoding.EncodeIf(encode, keyMarker) ?? "",
            VersionIdMarker = versionIdMarker ?? "",
            NextKeyMarker = S3UrlEncoding.EncodeIf(encode, listing.NextKeyMarker),
            NextVersionIdMarker = listing.NextVersionIdMarker,
            MaxKeys = maxKeys,
            Delimiter = S3UrlEncoding.EncodeIf(encode, delimiter),
            IsTruncated = listing.IsTruncated,
            EncodingType = encode ? "url" : null,
            Versions = versions,
            CommonPrefixes = EncodeAll(listing.CommonPrefixes, encode),
        };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, model,
            static (writer, model) => ListVersionsResultWriter.Write(writer, model)).ConfigureAwait(false);
    }

    private async Task PutBucketVersioningAsync(HttpContext context, S3Request request, AuthResult auth)
    {
        var bucket = RequireBucket(request);
        using var document = await RequestBody.ReadVerifiedDocumentAsync(context, auth, context.RequestAborted).ConfigureAwait(false);
        var versioning = S3XmlReader.ReadVersioningConfiguration(document);
        switch (await buckets.PutVersioningAsync(bucket, versioning, context.RequestAborted).ConfigureAwait(false))
        {
            case PutVersioningStatus.NoSuchBucket:
                throw S3Errors.NoSuchBucket(bucket);
            case PutVersioningStatus.ObjectLockEnabled:
                throw S3Errors.Of(S3ErrorCode.InvalidBucketState,
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task GetBucketVersioningAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var record = await buckets.GetAsync(bucket, context.RequestAborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchBucket(bucket);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, record.Versioning,
            static (writer, versioning) => VersioningConfigurationWriter.Write(writer, versioning)).ConfigureAwait(false);
    }
}
