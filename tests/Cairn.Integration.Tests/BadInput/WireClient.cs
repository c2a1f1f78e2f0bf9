using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// Sends <see cref="WireRequest"/>s to a server on loopback: through <see cref="HttpClient"/>, or
/// through a raw socket for requests HttpClient refuses to send (a body shorter than its Content-Length).
/// </summary>
internal sealed class WireClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly HttpRequestOptionsKey<Encoding> HeaderEncodingKey = new("cairn.header-encoding");
    private readonly Uri _endpoint;
    private readonly HttpClient _http;

    public WireClient(string endpoint)
    {
        _endpoint = new Uri(endpoint);
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            RequestHeaderEncodingSelector = static (_, message) => message.Options.TryGetValue(HeaderEncodingKey, out var encoding) ? encoding : null,
        })
        {
            Timeout = Timeout,
        };
    }

    /// <summary>host:port, as the Host header carries it.</summary>
    public string Host => _endpoint.Authority;

    public WireRequest Request(string method, string path, string query = "") => new(method, Host, path, query);

    /// <summary>Sends through HttpClient; every header of <paramref name="request"/> goes out as given.</summary>
    public async Task<WireResponse> SendAsync(WireRequest request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_endpoint, request.Target));
        if (request.HeaderEncoding is { } headerEncoding)
        {
            message.Options.Set(HeaderEncodingKey, headerEncoding);
        }
        if (request.Body.Length > 0 || request.Method is "PUT" or "POST")
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentLength = request.Body.Length;
        }
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("host", StringComparison.OrdinalIgnoreCase))
            {
                continue; // HttpClient sends the URI's authority, which is what was signed
            }
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                message.Content!.Headers.ContentLength = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.StartsWith("content-", StringComparison.OrdinalIgnoreCase) || name.Equals("expires", StringComparison.OrdinalIgnoreCase))
            {
                Assert.True(message.Content!.Headers.TryAddWithoutValidation(name, value), name);
            }
            else
            {
                Assert.True(message.Headers.TryAddWithoutValidation(name, value), name);
            }
        }
        using var cancel = new CancellationTokenSource(Timeout);
        using var response = await _http.SendAsync(message, cancel.Token);
        var body = await response.Content.ReadAsByteArrayAsync(cancel.Token);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(",", values);
        }
        return new WireResponse((int)response.StatusCode, headers, body);
    }

    /// <summary>
    /// Writes the request on a new connection: headers (with the Content-Length the request declares),
    /// then the first <paramref name="bodyBytesToSend"/> bytes of the body; then, when
    /// <paramref name="shutdownSend"/>, closes the sending side (after <paramref name="beforeShutdown"/>
    /// completes, if given). Reads the response until its body is complete or the server closes;
    /// null when the server closed without answering.
    /// </summary>
    public async Task<WireResponse?> SendRawAsync(WireRequest request, int bodyBytesToSend, bool shutdownSend, Func<Task>? beforeShutdown = null)
    {
        using var cancel = new CancellationTokenSource(Timeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _endpoint.Port), cancel.Token);
        var head = new StringBuilder();
        head.Append(request.Method).Append(' ').Append(request.Target).Append(" HTTP/1.1\r\n");
        foreach (var (name, value) in request.Headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        if (!request.Headers.ContainsKey("content-length"))
        {
            head.Append("content-length: ").Append(request.Body.Length).Append("\r\n");
        }
        head.Append("connection: close\r\n\r\n");
        await socket.SendAsync(Encoding.ASCII.GetBytes(head.ToString()), SocketFlags.None, cancel.Token);
        await socket.SendAsync(request.Body.AsMemory(0, bodyBytesToSend), SocketFlags.None, cancel.Token);
        if (shutdownSend)
        {
            if (beforeShutdown is not null)
            {
                await beforeShutdown();
            }
            socket.Shutdown(SocketShutdown.Send);
        }
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                break;
            }
            if (read == 0)
            {
                break;
            }
            received.Write(buffer, 0, read);
            if (TryParse(received.ToArray(), out var complete))
            {
                return complete;
            }
        }
        return TryParse(received.ToArray(), out var response) ? response : null;
    }

    /// <summary>Parses an HTTP/1.1 response once its headers and Content-Length bytes of body have arrived.</summary>
    private static bool TryParse(byte[] data, out WireResponse? response)
    {
        response = null;
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }
        var lines = Encoding.ASCII.GetString(data, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var length = headers.TryGetValue("content-length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var bodyStart = end + 4;
        if (data.Length - bodyStart < length)
        {
            return false;
        }
        response = new WireResponse(status, headers, data.AsSpan(bodyStart, length).ToArray());
        return true;
    }

    public void Dispose() => _http.Dispose();
}
