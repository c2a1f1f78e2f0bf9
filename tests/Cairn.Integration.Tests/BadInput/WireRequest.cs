namespace Cairn.Integration.Tests.BadInput;

/// <summary>One HTTP request as it goes on the wire: the path and query already percent-encoded, headers as sent.</summary>
internal sealed class WireRequest
{
    public WireRequest(string method, string host, string path, string query = "")
    {
        Method = method;
        Path = path;
        Query = query;
        Headers["host"] = host;
    }

    public string Method { get; }

    /// <summary>Percent-encoded path, e.g. <c>/bucket/a%20b</c>; sent and signed as is.</summary>
    public string Path { get; }

    /// <summary>Percent-encoded query without '?', e.g. <c>delete</c>.</summary>
    public string Query { get; set; }

    /// <summary>Request headers, host included; Content-Length is added from <see cref="Body"/> unless set here.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; set; } = [];

    /// <summary>How header values become bytes: null sends ASCII only (HttpClient's default); UTF-8 or Latin-1 as a client would.</summary>
    public System.Text.Encoding? HeaderEncoding { get; set; }

    public string Target => Query.Length == 0 ? Path : Path + "?" + Query;
}
