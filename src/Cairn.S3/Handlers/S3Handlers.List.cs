using System.Globalization;
using System.Text;
using Cairn.Core;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

public sealed partial class S3Handlers
{
    private async Task ListObjectsAsync(HttpContext context, S3Request request, AuthResult auth, bool v2)
    {
        var bucket = RequireBucket(request);
        var query = request.Query;
        var prefix = QueryValue(query, "prefix") ?? "";
        var delimiter = Delimiter(query);
        var maxKeys = MaxKeys(QueryValue(query, "max-keys"));
        var encode = UrlEncodingRequested(query);
        var continuationToken = v2 ? QueryValue(query, "continuation-token") : null;
        var startAfter = v2 ? QueryValue(query, "start-after") : QueryValue(query, "marker");
        var after = continuationToken is not null ? DecodeContinuationToken(continuationToken) : startAfter;

        var result = await objects.ListAsync(bucket, new ListObjectsQuery(prefix, delimiter, after, maxKeys),
            context.RequestAborted).ConfigureAwait(false);
        if (!result.BucketExists)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        var listing = result.Listing!;
        var owner = !v2 || IsTrue(QueryValue(query, "fetch-owner")) ? OwnerOf(auth) : null;
        var contents = ToContents(listing.Objects, encode, owner);
        var prefixes = EncodeAll(listing.CommonPrefixes, encode);
        if (v2)
        {
            var model = new ListObjectsV2Result
            {
                Name = bucket,
                Prefix = S3UrlEncoding.EncodeIf(encode, prefix)!,
                Delimiter = S3UrlEncoding.EncodeIf(encode, delimiter),
                MaxKeys = maxKeys,
                IsTruncated = listing.IsTruncated,
                ContinuationToken = continuationToken,
                NextContinuationToken = listing.IsTruncated && listing.NextAfter is not null ? EncodeContinuationToken(listing.NextAfter) : null,
                StartAfter = S3UrlEncoding.EncodeIf(encode, startAfter),
                EncodingType = encode ? "url" : null,
                Contents = contents,
                CommonPrefixes = prefixes,
            };
            await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, model,
                static (writer, model) => ListBucketResultWriter.WriteV2(writer, model)).ConfigureAwait(false);
            return;
        }
        var v1 = new ListObjectsResult
        {
            Name = bucket,
            Prefix = S3UrlEncoding.EncodeIf(encode, prefix)!,
            Marker = S3UrlEncoding.EncodeIf(encode, startAfter) ?? "",
            // AWS returns NextMarker only when a delimiter was given; clients use the last key otherwise.
            NextMarker = listing.IsTruncated && delimiter is not null ? S3UrlEncoding.EncodeIf(encode, listing.NextAfter) : null,
            Delimiter = S3UrlEncoding.EncodeIf(encode, delimiter),
            MaxKeys = maxKeys,
            IsTruncated = listing.IsTruncated,
            EncodingType = encode ? "url" : null,
            Contents = contents,
            CommonPrefixes = prefixes,
        };
        await XmlResponse.WriteAsync(context, StatusCodes.Status200OK, v1,
            static (writer, model) => ListBucketResultWriter.WriteV1(writer, model)).ConfigureAwait(false);
    }

    private static List<ObjectEntry> ToContents(IReadOnlyList<ObjectSummary> summaries, bool encode, S3Owner? owner)
    {
        var contents = new List<ObjectEntry>(summaries.Count);
        foreach (var summary in summaries)
        {
            contents.Add(new ObjectEntry(S3UrlEncoding.EncodeIf(encode, summary.Key)!, summary.LastModified, summary.ETag, summary.Size) { Owner = owner, StorageClass = summary.StorageClass ?? "STANDARD" });
        }
        return contents;
    }

    private static IReadOnlyList<string> EncodeAll(IReadOnlyList<string> values, bool encode)
    {
        if (!encode)
        {
            return values;
        }
        var encoded = new List<string>(values.Count);
        foreach (var value in values)
        {
            encoded.Add(S3UrlEncoding.Encode(value));
        }
        return encoded;
    }

    private static int MaxKeys(string? value)
    {
        if (value is null)
        {
            return S3Limits.MaxKeys;
        }
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            throw S3Errors.InvalidArgument("Provided max-keys not an integer or within integer range", "max-keys", value);
        }
        return Math.Min(parsed, S3Limits.MaxKeys);
    }

    /// <summary>Continuation tokens are opaque to clients: base64url of the last key or prefix returned.</summary>
    private static string EncodeContinuationToken(string after) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(after)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeContinuationToken(string token)
    {
        var base64 = token.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(base64));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            throw S3Errors.InvalidArgument("The continuation token provided is incorrect", "continuation-token", token);
        }
    }

    /// <summary>
    /// The delimiter parameter; empty (<c>delimiter=</c>) is no delimiter, as in S3: nothing is grouped
    /// and the answer has no Delimiter element.
    /// </summary>
    private static string? Delimiter(IQueryCollection query) => QueryValue(query, "delimiter") is { Length: > 0 } delimiter ? delimiter : null;

    /// <summary>
    /// Whether a listing asked for <c>encoding-type=url</c>; any other value is 400 InvalidArgument,
    /// as S3 answers.
    /// </summary>
    private static bool UrlEncodingRequested(IQueryCollection query)
    {
        var encodingType = QueryValue(query, "encoding-type");
        if (encodingType is not null && !string.Equals(encodingType, "url", StringComparison.OrdinalIgnoreCase))
        {
            throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
        }
        return encodingType is not null;
    }

    private static string? QueryValue(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
