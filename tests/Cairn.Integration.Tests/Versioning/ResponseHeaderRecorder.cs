using System.Net;
using Amazon.Runtime;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// Gives the SDK an HttpClient that keeps the status and headers of the last response, so a test can read
/// headers the SDK does not surface on errors (x-amz-delete-marker on a 404, Last-Modified on a 405). Requests
/// through one client must be sequential for <see cref="Last"/> to mean anything.
/// </summary>
internal sealed class ResponseHeaderRecorder : HttpClientFactory
{
    private volatile RecordedResponse? _last;

    /// <summary>The last response received, or null before any.</summary>
    public RecordedResponse? Last => _last;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new RecordingHandler(this, new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false }));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    /// <summary>Status and headers (response and content headers, names lower-cased) of one response.</summary>
    public sealed record RecordedResponse(string Method, HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }

    private sealed class RecordingHandler(ResponseHeaderRecorder owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name.ToLowerInvariant()] = string.Join(",", values);
            }
            owner._last = new RecordedResponse(request.Method.Method, response.StatusCode, headers);
            return response;
        }
    }
}
