using System.Globalization;
using Cairn.Core;
using Cairn.Engine.Objects;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private static readonly string[] ObjectAttributeNames = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"];

    /// <summary>
    /// GetObjectAttributes: the attributes named by <c>x-amz-object-attributes</c> of the latest
    /// version or of <c>versionId</c>. ObjectParts pages with <c>x-amz-max-parts</c> (default and
    /// most 1,000) after <c>x-amz-part-number-marker</c>, and lists Part elements only for an object
    /// uploaded with a checksum algorithm, as AWS does for general purpose buckets.
    /// </summary>
    private async Task GetObjectAttributesAsync(HttpContext context, S3Request request)
    {
        var bucket = RequireBucket(request);
        var key = ValidKey(request);
        var headers = context.Request.Headers;
        var asked = RequestedAttributes(RequestHeaders.Value(headers, "x-amz-object-attributes"));
        var maxParts = NonNegativeHeader(headers, "x-amz-max-parts") is { } max ? Math.Min(max, 1000) : 1000;
        var marker = NonNegativeHeader(headers, "x-amz-part-number-marker") ?? 0;
        var versionId = VersionIdOf(request.Query);

        // An SSE-C object's attributes need its key, as S3 asks (a wrong or missing one is refused as on GET).
        var found = await objects.GetAsync(bucket, key, ReadConditions.None, null, context.RequestAborted, versionId: versionId,
            customerKey: EncryptionHeaders.CustomerKeyOf(headers)).ConfigureAwait(false);
        ThrowIfNoVersion(found, bucket, key, versionId, context.Request.Method);
        var version = found.Version;
        var attributes = new ObjectAttributes
        {
            ETag = asked.Contains("ETag") ? version.ETag : null,
            Checksums = asked.Contains("Checksum") ? version.Checksums : null,
            ChecksumType = asked.Contains("Checksum") ? version.ChecksumType : null,
            Parts = asked.Contains("ObjectParts") ? PartsPage(version, marker, maxParts) : null,
            StorageClass = asked.Contains("StorageClass") ? version.StorageClass : null,
            ObjectSize = asked.Contains("ObjectSize") ? version.Size : null,
        };
        context.Response.Headers.LastModified = S3Date.ToHttpDate(version.LastModified);
        WriteVersionIdHeader(context.Response, version.VersionId, asked: versionId is not null);
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, attributes,
            static (writer, attributes) => ObjectAttributesWriter.Write(writer, attributes)).ConfigureAwait(false);
    }

    /// <summary>The part page of an object made by multipart upload; null for any other object (AWS sends no ObjectParts then).</summary>
    private static ObjectPartsPage? PartsPage(ObjectVersion version, int marker, int maxParts)
    {
        var sizes = version.PartSizes;
        if (sizes.Count == 0)
        {
            return null;
        }
        var parts = new List<(int, long, IReadOnlyDictionary<string, string>)>();
        var withChecksums = version.PartChecksums.Count == sizes.Count;
        var last = Math.Min(sizes.Count, marker + (long)maxParts);
        for (var number = marker + 1; withChecksums && number <= last; number++)
        {
            parts.Add((number, sizes[number - 1], version.PartChecksums[number - 1]));
        }
        var truncated = withChecksums && last < sizes.Count;
        return new ObjectPartsPage(sizes.Count, marker, maxParts, truncated, truncated ? (int)last : null, parts);
    }

    /// <summary>The attribute names of x-amz-object-attributes (comma-separated); missing or unknown ones are 400 InvalidArgument.</summary>
    private static HashSet<string> RequestedAttributes(string? header)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!ObjectAttributeNames.Contains(name))
            {
                throw S3Errors.InvalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", name);
            }
            names.Add(name);
        }
        return names.Count > 0
            ? names
            : throw S3Errors.InvalidArgument("Empty attribute specified.", "x-amz-object-attributes", header ?? "");
    }

    private static int? NonNegativeHeader(IHeaderDictionary headers, string name) =>
        RequestHeaders.Value(headers, name) is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw S3Errors.InvalidArgument($"Provided {name} not an integer or within integer range.", name, text);
}
