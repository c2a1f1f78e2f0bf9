using System.Net;
using System.Text;
using System.Xml;
using Cairn.Bench.Load.Http;

namespace Cairn.Bench.Load.S3;

/// <summary>
/// The few S3 calls the scenarios make outside the replayed pools (setup, listings, multipart), each
/// signed when sent. Failures are printed by <see cref="ErrorReport"/> and returned as null/false; the
/// caller decides whether that is a counted error or a failed setup.
/// </summary>
internal sealed class BenchS3Client(HttpClient http, SigV4Signer signer, EndpointRing endpoints)
{
    private static readonly XmlReaderSettings XmlSettings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreWhitespace = true,
    };

    public HttpClient Http => http;

    /// <summary>
    /// A request signed now, to the ring's next endpoint; <paramref name="query"/> must be canonical
    /// (<see cref="S3Uri.Query"/>).
    /// </summary>
    public HttpRequestMessage Signed(HttpMethod method, string path, string query, string payloadHash, HttpContent? content)
    {
        var amzDate = SigV4Signer.AmzDate(DateTimeOffset.UtcNow);
        var endpoint = endpoints.Endpoints[endpoints.NextIndex()];
        var request = new HttpRequestMessage(method, new Uri(endpoint, query.Length == 0 ? path : path + "?" + query)) { Content = content };
        endpoints.SetHost(request);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        request.Headers.TryAddWithoutValidation("Authorization", signer.Authorization(method.Method, path, query, payloadHash, amzDate));
        return request;
    }

    /// <summary>Creates the bucket; one that exists and is ours (409 BucketAlreadyOwnedByYou) is fine.</summary>
    public async Task<bool> EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Put, S3Uri.Bucket(bucket), "", SigV4Signer.EmptyPayloadHash, null);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict && body.Contains("<Code>BucketAlreadyOwnedByYou</Code>", StringComparison.Ordinal))
        {
            return true;
        }
        ErrorReport.Message($"PUT /{bucket} → {(int)response.StatusCode}: {body}");
        return false;
    }

    /// <summary>The object's Content-Length, or null when it does not exist (or HEAD fails).</summary>
    public async Task<long?> HeadObjectLengthAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Head, S3Uri.Object(bucket, key), "", SigV4Signer.EmptyPayloadHash, null);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return response.IsSuccessStatusCode ? response.Content.Headers.ContentLength : null;
    }

    /// <summary>PUT with the body's SHA-256 signed (the server verifies it).</summary>
    public async Task<bool> PutObjectAsync(string bucket, string key, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var request = Signed(HttpMethod.Put, S3Uri.Object(bucket, key), "", SigV4Signer.PayloadHash(body.Span), new ReadOnlyMemoryContent(body));
        var (succeeded, _) = await BenchHttp.ExchangeAsync(http, request, expectedLength: null, [], cancellationToken);
        return succeeded;
    }

    /// <summary>PUT of a streamed body (UNSIGNED-PAYLOAD: hashing gigabytes would make the client the bottleneck).</summary>
    public async Task<bool> PutObjectStreamAsync(string bucket, string key, HttpContent content, CancellationToken cancellationToken)
    {
        var request = Signed(HttpMethod.Put, S3Uri.Object(bucket, key), "", SigV4Signer.UnsignedPayload, content);
        var (succeeded, _) = await BenchHttp.ExchangeAsync(http, request, expectedLength: null, [], cancellationToken);
        return succeeded;
    }

    /// <summary>One ListObjectsV2 page (counted, not kept), or null on failure.</summary>
    public async Task<ListPage?> ListObjectsV2Async(
        string bucket, string? delimiter, string? continuationToken, int maxKeys, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, string)> { ("list-type", "2"), ("max-keys", maxKeys.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (delimiter is not null)
        {
            parameters.Add(("delimiter", delimiter));
        }
        if (continuationToken is not null)
        {
            parameters.Add(("continuation-token", continuationToken));
        }
        using var request = Signed(HttpMethod.Get, S3Uri.Bucket(bucket), S3Uri.Query([.. parameters]), SigV4Signer.EmptyPayloadHash, null);
        return await SendListAsync(http, request, cancellationToken);
    }

    /// <summary>Sends a ListObjectsV2 request (signed here or replayed from a pool) and counts its page.</summary>
    public static async Task<ListPage?> SendListAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ErrorReport.ResponseAsync(request, response, cancellationToken);
            return null;
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = XmlReader.Create(body, XmlSettings);
        return await ListPage.ReadAsync(reader);
    }

    public async Task<string?> CreateMultipartUploadAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Post, S3Uri.Object(bucket, key), S3Uri.Query(("uploads", "")), SigV4Signer.EmptyPayloadHash, null);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ErrorReport.ResponseAsync(request, response, cancellationToken);
            return null;
        }
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = XmlReader.Create(body, XmlSettings);
        while (await reader.ReadAsync())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "UploadId")
            {
                return await reader.ReadElementContentAsStringAsync();
            }
        }
        ErrorReport.Message($"CreateMultipartUpload {bucket}/{key}: no UploadId in the response");
        return null;
    }

    /// <summary>Uploads one part (unsigned payload) and returns its ETag, or null on failure.</summary>
    public async Task<string?> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, HttpContent content, CancellationToken cancellationToken)
    {
        var query = S3Uri.Query(("partNumber", partNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("uploadId", uploadId));
        using var request = Signed(HttpMethod.Put, S3Uri.Object(bucket, key), query, SigV4Signer.UnsignedPayload, content);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await ErrorReport.ResponseAsync(request, response, cancellationToken);
            return null;
        }
        var etag = response.Headers.ETag?.Tag;
        if (etag is null)
        {
            ErrorReport.Message($"UploadPart {partNumber} of {bucket}/{key}: no ETag in the response");
        }
        return etag;
    }

    /// <summary>Completes with the parts 1..N in order; a 200 whose body is an Error counts as a failure (S3 does that).</summary>
    public async Task<bool> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<string> etags, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for (var i = 0; i < etags.Count; i++)
        {
            xml.Append("<Part><PartNumber>").Append(i + 1).Append("</PartNumber><ETag>")
                .Append(XmlEscape(etags[i])).Append("</ETag></Part>");
        }
        xml.Append("</CompleteMultipartUpload>");
        var body = Encoding.UTF8.GetBytes(xml.ToString());
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/xml");
        using var request = Signed(HttpMethod.Post, S3Uri.Object(bucket, key), S3Uri.Query(("uploadId", uploadId)), SigV4Signer.PayloadHash(body), content);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        // S3 may answer 200 with an <Error> body once the body has started; moto names the root
        // element CompleteMultipartUploadResponse instead of ...Result, so look for the ETag only.
        if (response.IsSuccessStatusCode && text.Contains("<ETag>", StringComparison.Ordinal) && !text.Contains("<Error>", StringComparison.Ordinal))
        {
            return true;
        }
        ErrorReport.Message($"CompleteMultipartUpload {bucket}/{key} → {(int)response.StatusCode}: {text}");
        return false;
    }

    public async Task AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Delete, S3Uri.Object(bucket, key), S3Uri.Query(("uploadId", uploadId)), SigV4Signer.EmptyPayloadHash, null);
        using var response = await http.SendAsync(request, cancellationToken);
    }

    private static string XmlEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
