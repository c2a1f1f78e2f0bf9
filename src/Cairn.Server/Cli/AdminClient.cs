using System.Net;
using System.Text.Json;
using Cairn.S3.Auth;

namespace Cairn.Server.Cli;

/// <summary>An answer of the admin API: the status, the body and the headers.</summary>
internal sealed record AdminResponse(HttpStatusCode Status, string? MediaType, byte[] Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The first value of a response header, or null.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    public bool IsSuccess => (int)Status is >= 200 and < 300;

    /// <summary>
    /// The error line for a failed answer: <c>CODE: message</c> from the admin API's JSON, or the
    /// HTTP status when the body is not that JSON (another server, or one without the admin API).
    /// </summary>
    public string Error() => Error(s3Call: false);

    /// <summary>
    /// As <see cref="Error()"/>; for an S3 call (<paramref name="s3Call"/>: the bucket and policy commands)
    /// an S3 error document is read as <c>CODE: message</c> too. From an admin path it means another server.
    /// </summary>
    public string Error(bool s3Call)
    {
        if (MediaType is "application/json")
        {
            try
            {
                using var json = JsonDocument.Parse(Body);
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String)
                {
                    var message = json.RootElement.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String
                        ? text.GetString()
                        : null;
                    return string.IsNullOrEmpty(message) ? code.GetString()! : $"{code.GetString()}: {message}";
                }
            }
            catch (JsonException)
            {
                // Not the admin API's error body: fall through to the status.
            }
        }
        if (s3Call && MediaType is "application/xml" && TryS3Error(out var s3Error))
        {
            return s3Error;
        }
        return $"HTTP {(int)Status} {Status}: not an admin API answer ({MediaType ?? "no content type"}); is the endpoint a Cairn server with the admin API?";
    }

    /// <summary>An S3 error document's <c>CODE: message</c> (the commands that make S3 calls: buckets, policies).</summary>
    private bool TryS3Error(out string error)
    {
        error = "";
        try
        {
            var root = System.Xml.Linq.XDocument.Parse(System.Text.Encoding.UTF8.GetString(Body)).Root;
            if (root?.Name.LocalName == "Error" && root.Element("Code")?.Value is { Length: > 0 } code)
            {
                error = root.Element("Message")?.Value is { Length: > 0 } message ? $"{code}: {message}" : code;
                return true;
            }
        }
        catch (System.Xml.XmlException)
        {
            // Not an S3 error document.
        }
        return false;
    }
}

/// <summary>
/// Sends signed requests to the admin API under <c>/_cairn/</c>. Every request is signed with
/// <see cref="SigV4Signer"/> at the moment it is sent.
/// </summary>
internal sealed class AdminClient(HttpClient http, Uri endpoint, CliCredentials credentials, TimeProvider timeProvider)
{
    /// <summary>Largest answer read (a proof is a few KiB plus one manifest); HttpClient enforces it.</summary>
    public const int MaxResponseBytes = 256 * 1024 * 1024;

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> (already percent-encoded) relative to the endpoint.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or the answer not read.</exception>
    public Task<AdminResponse> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, pathAndQuery, cancellationToken);

    /// <summary>
    /// Sends a bodiless <paramref name="method"/> request for <paramref name="pathAndQuery"/> (already
    /// percent-encoded) relative to the endpoint and reads the answer whole.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or the answer not read.</exception>
    public Task<AdminResponse> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(method, pathAndQuery, body: null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="method"/> for <paramref name="pathAndQuery"/> with <paramref name="body"/> (none when null; with its
    /// Content-MD5, which S3's configuration calls ask for) and reads the answer whole.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or the answer not read.</exception>
    public async Task<AdminResponse> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + pathAndQuery));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentMD5 = System.Security.Cryptography.MD5.HashData(body);
        }
        SigV4Signer.Sign(request, credentials.AccessKey, credentials.SecretKey, credentials.Region, timeProvider.GetUtcNow());
        HttpResponseMessage response;
        byte[] answer;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException($"cannot reach {endpoint}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"no answer from {endpoint} within {http.Timeout.TotalSeconds:0} s.", ex);
        }
        using var disposeResponse = response;
        return new AdminResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, answer, HeadersOf(response));
    }

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> and, when the answer is a success, streams its body to
    /// <paramref name="destination"/> (reporting the bytes written so far) instead of holding it; a
    /// failed answer is read whole, for its error. The returned response's Body is empty on success.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or the answer not read.</exception>
    public async Task<AdminResponse> DownloadAsync(string pathAndQuery, Stream destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        using var request = Signed(HttpMethod.Get, pathAndQuery);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var headers = HeadersOf(response);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!response.IsSuccessStatusCode)
            {
                var error = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                return new AdminResponse(response.StatusCode, mediaType, error, headers);
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[1024 * 1024];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                total += read;
                progress?.Report(total);
            }
            return new AdminResponse(response.StatusCode, mediaType, [], headers);
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException($"cannot reach {endpoint} or read its answer: {ex.Message}", ex);
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"the answer from {endpoint} was cut off: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// POSTs the file <paramref name="body"/> (from its position) to <paramref name="pathAndQuery"/> and
    /// reads the answer whole. The signature covers the file's SHA-256 (one read to hash it, one to
    /// send it), so the server refuses a body changed on the way. <paramref name="hashed"/> and
    /// <paramref name="sent"/> are told the bytes of each read so far.
    /// </summary>
    /// <exception cref="HttpRequestException">The server could not be reached or the answer not read.</exception>
    public async Task<AdminResponse> PostFileAsync(string pathAndQuery, FileStream body, IProgress<long>? hashed, IProgress<long>? sent,
        CancellationToken cancellationToken)
    {
        var start = body.Position;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + pathAndQuery))
        {
            Content = FileContent(body, hashed),
        };
        SigV4Signer.Sign(request, credentials.AccessKey, credentials.SecretKey, credentials.Region, timeProvider.GetUtcNow());
        // The signature names the payload by its hash and signs no content header, so the same bytes
        // may go out through another content: one that tells the sending, not the hashing.
        body.Position = start;
        request.Content = FileContent(body, sent);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return new AdminResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, answer, HeadersOf(response));
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException($"cannot reach {endpoint} or send the file: {ex.Message}", ex);
        }
    }

    /// <summary>The CAR file from its position, read through a <see cref="ProgressReadStream"/> when <paramref name="progress"/> is given.</summary>
    private static StreamContent FileContent(FileStream body, IProgress<long>? progress)
    {
        var content = new StreamContent(progress is null ? body : new ProgressReadStream(body, progress), 1 << 20);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/vnd.ipld.car");
        content.Headers.ContentLength = body.Length - body.Position;
        return content;
    }

    /// <summary>A bodiless <paramref name="method"/> request for <paramref name="pathAndQuery"/> relative to the endpoint, signed now.</summary>
    private HttpRequestMessage Signed(HttpMethod method, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + pathAndQuery));
        SigV4Signer.Sign(request, credentials.AccessKey, credentials.SecretKey, credentials.Region, timeProvider.GetUtcNow());
        return request;
    }

    /// <summary>The first value of each response header.</summary>
    private static Dictionary<string, string> HeadersOf(HttpResponseMessage response)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers)
        {
            headers.TryAdd(name, values.FirstOrDefault() ?? "");
        }
        return headers;
    }

    /// <summary>A path segment or query value, percent-encoded the RFC 3986 way (everything but unreserved characters).</summary>
    public static string Escape(string value) => Uri.EscapeDataString(value);
}
