using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Storage.S3.Tests;

/// <summary>
/// A loopback HTTP server that answers every request with one canned S3 response: the way to make
/// the real SDK see throttling, server errors, 501s and cut-off bodies, which neither moto nor Cairn
/// produce on demand. It isolates only the error mapping; everything else runs against real stores.
/// </summary>
internal sealed class CannedS3Server : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerRequest, CannedResponse> _respond;
    private readonly Task _loop;
    private int _requests;

    public CannedS3Server(Func<HttpListenerRequest, CannedResponse> respond)
    {
        _respond = respond;
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>An S3 error document with <paramref name="status"/> and <paramref name="code"/>.</summary>
    public static CannedResponse Error(HttpStatusCode status, string code) =>
        new(status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>canned {code}</Message><RequestId>canned</RequestId></Error>");

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopping the listener ends the loop with one of these.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            // Drain the request body so the client is not blocked writing it.
            await context.Request.InputStream.CopyToAsync(Stream.Null);
            var canned = _respond(context.Request);
            var response = context.Response;
            // One connection per request: no pooled connection outlives this server and carries a
            // later test's request to a port that has since been handed to another server.
            response.KeepAlive = false;
            response.StatusCode = (int)canned.Status;
            var body = Encoding.UTF8.GetBytes(canned.Body);
            response.ContentType = "application/xml";
            if (canned.CutBodyAfter is { } cut)
            {
                // Announce the whole body, send part of it, and drop the connection.
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body.AsMemory(0, cut));
                await response.OutputStream.FlushAsync();
                response.Abort();
                continue;
            }
            response.ContentLength64 = body.Length;
            if (context.Request.HttpMethod != "HEAD")
            {
                await response.OutputStream.WriteAsync(body);
            }
            response.Close();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A canned answer: status, body, and optionally a body cut off after that many bytes.</summary>
internal sealed record CannedResponse(HttpStatusCode Status, string Body, int? CutBodyAfter = null);
