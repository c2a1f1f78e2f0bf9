namespace Cairn.Bench.Load.S3;

/// <summary>
/// Requests signed before the timed phase, so that signing costs the load generator nothing while it
/// measures: one method, one payload hash and one query for all, one path per index. It keeps only
/// 32 signature bytes per request (a million PUT keys cost 32 MB) and rebuilds the Authorization
/// header from a shared prefix when a request is sent.
/// </summary>
/// <remarks>
/// S3 accepts a request for 15 minutes after its x-amz-date, so the pool signs itself again every
/// ten minutes (a timer swaps in the new signatures; requests in flight keep the old ones).
/// </remarks>
internal sealed class PresignedRequests : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(10);
    private const int CachedUriLimit = 65_536;
    private const int SigningBatch = 4096;

    private readonly SigV4Signer _signer;
    private readonly EndpointRing _endpoints;
    private readonly HttpMethod _method;
    private readonly string _payloadHash;
    private readonly string _query;
    private readonly Func<long, string> _pathOf;
    private readonly Uri[][]? _uris;
    private readonly Timer _refreshTimer;
    private Signatures _signatures;

    public PresignedRequests(SigV4Signer signer, EndpointRing endpoints, HttpMethod method, long count, Func<long, string> pathOf, string query, string payloadHash)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _signer = signer;
        _endpoints = endpoints;
        _method = method;
        _payloadHash = payloadHash;
        _query = query;
        _pathOf = pathOf;
        Count = count;
        // Small pools (the GET keys) are replayed many times: parse each URI once (per endpoint).
        if (count * endpoints.Count <= CachedUriLimit)
        {
            _uris = new Uri[endpoints.Count][];
            for (var e = 0; e < endpoints.Count; e++)
            {
                _uris[e] = new Uri[count];
                for (var i = 0; i < count; i++)
                {
                    _uris[e][i] = BuildUri(e, i);
                }
            }
        }
        _signatures = SignAll();
        _refreshTimer = new Timer(static state => ((PresignedRequests)state!).Refresh(), this, RefreshInterval, RefreshInterval);
    }

    public long Count { get; }

    /// <summary>
    /// A new request for pool entry <paramref name="index"/>, to the ring's next endpoint; a request
    /// message is sent only once.
    /// </summary>
    public HttpRequestMessage Create(long index, HttpContent? content)
    {
        var signatures = Volatile.Read(ref _signatures);
        var endpoint = _endpoints.NextIndex();
        var request = new HttpRequestMessage(_method, _uris is null ? BuildUri(endpoint, index) : _uris[endpoint][index]) { Content = content };
        _endpoints.SetHost(request);
        var headers = request.Headers;
        headers.TryAddWithoutValidation("x-amz-date", signatures.AmzDate);
        headers.TryAddWithoutValidation("x-amz-content-sha256", _payloadHash);
        headers.TryAddWithoutValidation("Authorization", signatures.Authorization(index));
        return request;
    }

    public void Dispose() => _refreshTimer.Dispose();

    private Uri BuildUri(int endpoint, long index) =>
        new(_endpoints.Endpoints[endpoint], _query.Length == 0 ? _pathOf(index) : _pathOf(index) + "?" + _query);

    private void Refresh() => Volatile.Write(ref _signatures, SignAll());

    private Signatures SignAll()
    {
        var amzDate = SigV4Signer.AmzDate(DateTimeOffset.UtcNow);
        var bytes = new byte[Count * 32];
        var batches = (Count + SigningBatch - 1) / SigningBatch;
        Parallel.For(0L, batches, batch =>
        {
            var end = Math.Min(Count, (batch + 1) * SigningBatch);
            for (var i = batch * SigningBatch; i < end; i++)
            {
                _signer.Sign(_method.Method, _pathOf(i), _query, _payloadHash, amzDate, bytes.AsSpan((int)(i * 32), 32));
            }
        });
        return new Signatures(amzDate, _signer.AuthorizationPrefix(amzDate), bytes);
    }

    private sealed record Signatures(string AmzDate, string AuthorizationPrefix, byte[] Bytes)
    {
        public string Authorization(long index) =>
            string.Create(AuthorizationPrefix.Length + 64, (this, index), static (chars, state) =>
            {
                var (self, i) = state;
                self.AuthorizationPrefix.CopyTo(chars);
                Convert.TryToHexStringLower(self.Bytes.AsSpan((int)(i * 32), 32), chars[self.AuthorizationPrefix.Length..], out _);
            });
    }
}
