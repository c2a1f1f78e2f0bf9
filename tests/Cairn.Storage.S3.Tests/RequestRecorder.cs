using System.Collections.Concurrent;
using Amazon.Runtime;

namespace Cairn.Storage.S3.Tests;

/// <summary>An SDK HTTP client factory that records each request's method, path and headers, to check what goes on the wire.</summary>
internal sealed class RequestRecorder : HttpClientFactory
{
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new RecordingHandler(this, new SocketsHttpHandler()));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

    private sealed class RecordingHandler(RequestRecorder owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in request.Headers)
            {
                headers[name] = string.Join(",", values);
            }
            if (request.Content is not null)
            {
                foreach (var (name, values) in request.Content.Headers)
                {
                    headers[name] = string.Join(",", values);
                }
            }
            owner.Requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!, headers));
            return base.SendAsync(request, cancellationToken);
        }
    }
}

internal sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers);
