using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Integration.Tests.Infrastructure;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a server that loses the answers to chosen requests, as a
/// network that drops a response does: the request reaches the server, which handles it and answers,
/// but the proxy closes the client's connection instead of passing on a byte of the final response.
/// A request is chosen when its request line (e.g. <c>POST /bucket/key?uploadId=... HTTP/1.1</c>)
/// satisfies the predicate, at most <c>times</c> requests in all. Interim <c>100 Continue</c> answers
/// pass, so the server has the whole request before its answer is lost.
/// </summary>
internal sealed class ResponseDroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Uri _upstream;
    private readonly Func<string, bool> _drop;
    private readonly Task _accepting;
    private int _remaining;
    private int _dropped;

    private ResponseDroppingProxy(string upstreamEndpoint, Func<string, bool> drop, int times)
    {
        _upstream = new Uri(upstreamEndpoint);
        _drop = drop;
        _remaining = times;
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, for a client's ServiceURL.</summary>
    public string Endpoint { get; }

    /// <summary>How many answers were lost so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public static ResponseDroppingProxy Start(string upstreamEndpoint, Func<string, bool> dropAnswerTo, int times = 1) =>
        new(upstreamEndpoint, dropAnswerTo, times);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping: the accept loop ends by its listener going away.
        }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return;
        }
        // When either direction ends, both connections close (disposed here), and the other direction ends too.
        var state = new Connection();
        await Task.WhenAny(
            QuietlyAsync(ForwardRequestsAsync(client.GetStream(), server.GetStream(), state)),
            QuietlyAsync(ForwardAnswersAsync(server.GetStream(), client.GetStream(), state)));
    }

    private static async Task QuietlyAsync(Task pump)
    {
        try
        {
            await pump;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side went away.
        }
    }

    private async Task ForwardRequestsAsync(NetworkStream from, NetworkStream to, Connection state)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            // Request lines are ASCII; a body that happens to hold one is not a concern for these tests.
            foreach (var line in Encoding.Latin1.GetString(buffer, 0, read).Split("\r\n"))
            {
                if (_drop(line) && Interlocked.Decrement(ref _remaining) >= 0)
                {
                    state.DropNextAnswer = true;
                }
            }
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
        }
    }

    private async Task ForwardAnswersAsync(NetworkStream from, NetworkStream to, Connection state)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            var start = 0;
            if (state.DropNextAnswer)
            {
                var text = Encoding.Latin1.GetString(buffer, 0, read);
                if (text.StartsWith("HTTP/1.1 100 ", StringComparison.Ordinal) && text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    await to.WriteAsync(buffer.AsMemory(0, end + 4), _stop.Token);
                    start = end + 4;
                }
                if (start < read)
                {
                    Interlocked.Increment(ref _dropped);
                    return; // the caller closes both connections: the answer is lost
                }
                continue;
            }
            await to.WriteAsync(buffer.AsMemory(start, read - start), _stop.Token);
        }
    }

    private sealed class Connection
    {
        public volatile bool DropNextAnswer;
    }
}
