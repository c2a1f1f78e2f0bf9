using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Auth;

/// <summary>A request as it came off the wire, which is what SigV4 and SigV2 sign.</summary>
/// <param name="Method">The HTTP method, e.g. <c>PUT</c>.</param>
/// <param name="RawPath">
/// The path exactly as the client sent it: percent-encoded, not normalised (from
/// <c>IHttpRequestFeature.RawTarget</c> before <c>?</c>; never <c>Request.Path</c>, STYLE rule 2).
/// </param>
/// <param name="RawQuery">The query string without the leading <c>?</c>, exactly as sent; empty when none.</param>
/// <param name="Headers">The request headers.</param>
public readonly record struct SigV4Request(string Method, string RawPath, string RawQuery, IHeaderDictionary Headers)
{
    /// <summary>
    /// The bucket named by the Host header (virtual-hosted style), or null for path style and requests that
    /// address no bucket. SigV2 signs it in front of the path; SigV4 does not need it (it signs the Host header).
    /// </summary>
    public string? VirtualHostBucket { get; init; }
}
