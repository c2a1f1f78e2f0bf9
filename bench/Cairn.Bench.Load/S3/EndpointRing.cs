namespace Cairn.Bench.Load.S3;

/// <summary>
/// The endpoints of a run, taken in turn (round robin over every request of the run that goes through
/// this ring). Every request is signed for, and carries, the first endpoint's Host, as a load balancer
/// that passes the Host header through would deliver it to each node; so one signature serves every
/// endpoint and the nodes see one S3 endpoint.
/// </summary>
internal sealed class EndpointRing(IReadOnlyList<Uri> endpoints)
{
    private long _next = -1;

    public IReadOnlyList<Uri> Endpoints { get; } = endpoints.Count > 0 ? endpoints : throw new ArgumentException("no endpoint", nameof(endpoints));

    public int Count => Endpoints.Count;

    /// <summary>The Host header every request carries: the first endpoint's authority.</summary>
    public string Host => Endpoints[0].Authority;

    /// <summary>The index of the endpoint for the next request (always 0 with one endpoint).</summary>
    public int NextIndex() => Count == 1 ? 0 : (int)((ulong)Interlocked.Increment(ref _next) % (ulong)Count);

    /// <summary>
    /// Sets the Host header when the request goes to an endpoint other than the first (with one
    /// endpoint the URI's own authority is already the signed Host).
    /// </summary>
    public void SetHost(HttpRequestMessage request)
    {
        if (Count > 1)
        {
            request.Headers.Host = Host;
        }
    }
}
