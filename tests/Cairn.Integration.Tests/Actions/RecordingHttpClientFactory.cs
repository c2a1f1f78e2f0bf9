using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// Gives the SDK an HttpClient that records what went over the wire (request URI, Host, response
/// body as text), and can send every connection to one loopback port whatever the host name says,
/// so virtual-host requests to <c>bucket.localhost</c> never depend on name resolution.
/// </summary>
internal sealed class RecordingHttpClientFactory(bool connectToLoopback = false) : HttpClientFactory
{
    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new RecordingHandler(this, CreateHandler(connectToLoopback)));

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

    /// <summary>A handler that, when <paramref name="connectToLoopback"/>, connects to 127.0.0.1 (at the URL's port) whatever the host name.</summary>
    public static SocketsHttpHandler CreateHandler(bool connectToLoopback)
    {
        var handler = new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None };
        if (connectToLoopback)
        {
            handler.ConnectCallback = static async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return handler;
    }

    public sealed record Exchange(string Method, Uri Uri, string Host, HttpStatusCode Status, string? Body);

    private sealed class RecordingHandler(RecordingHttpClientFactory owner, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            string? body = null;
            if (response.Content.Headers.ContentType?.MediaType is "application/xml" or "text/xml")
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                body = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            owner.Exchanges.Enqueue(new Exchange(request.Method.Method, request.RequestUri!, request.Headers.Host ?? request.RequestUri!.Authority,
                response.StatusCode, body));
            return response;
        }
    }
}
