using System.Net;

namespace Cairn.Bench.Load.Http;

/// <summary>
/// The one way this tool makes an HttpClient: HTTP/1.1 only, a connection per worker, no proxy, no
/// decompression, no cookies, no redirects, no Expect: 100-continue (each would add a round trip or
/// work the server is not being measured for), no trace headers, and no client-side timeout (runs
/// are bounded by the runner; a 5 GiB PUT may take minutes).
/// </summary>
internal static class BenchHttp
{
    public static HttpClient CreateClient(int maxConnections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ActivityHeadersPropagator = null,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        client.DefaultRequestHeaders.ExpectContinue = false;
        return client;
    }

    /// <summary>
    /// Sends <paramref name="request"/> (and disposes it), reads the whole response body into
    /// <paramref name="buffer"/> (discarding it) and checks the status and, when given, the body length
    /// (for HEAD, the Content-Length). Failures are reported and come back as <c>false</c>.
    /// </summary>
    public static async ValueTask<(bool Succeeded, long BodyBytes)> ExchangeAsync(
        HttpClient client, HttpRequestMessage request, long? expectedLength, byte[] buffer, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await ErrorReport.ResponseAsync(request, response, cancellationToken);
                return (false, 0);
            }
            long length;
            if (request.Method == HttpMethod.Head)
            {
                length = response.Content.Headers.ContentLength ?? -1;
            }
            else
            {
                length = 0;
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    length += read;
                }
            }
            if (expectedLength is { } expected && length != expected)
            {
                ErrorReport.Message($"{request.Method} {request.RequestUri?.PathAndQuery}: body of {length} bytes, expected {expected}");
                return (false, 0);
            }
            return (true, request.Method == HttpMethod.Head ? 0 : length);
        }
    }
}
