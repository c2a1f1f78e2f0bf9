using System.Text.Json;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Admin;

/// <summary>Admin API calls as they go on the wire, and the checks every admin test makes of their JSON answers.</summary>
internal static class AdminWire
{
    /// <summary>
    /// <c>METHOD /_cairn/buckets/{bucket}/{action}?query</c> with <paramref name="body"/>, signed in the header
    /// form by <paramref name="signer"/> over <paramref name="payloadHash"/> (the body's SHA-256 when null), or not signed at all.
    /// </summary>
    public static Task<WireResponse> SendAsync(string endpoint, WireSigner? signer, string method, string bucket, string action,
        string query = "", byte[]? body = null, string? payloadHash = null)
        => SendPathAsync(endpoint, signer, method, "/_cairn/buckets/" + WireSigner.UriEncode(bucket, keepSlash: false) + "/" + action, query, body,
            payloadHash);

    /// <summary><c>METHOD path?query</c> (an encoded path under <c>/_cairn/</c>), signed as <see cref="SendAsync"/> signs, or not at all.</summary>
    public static async Task<WireResponse> SendPathAsync(string endpoint, WireSigner? signer, string method, string path, string query = "",
        byte[]? body = null, string? payloadHash = null)
    {
        using var wire = new WireClient(endpoint);
        var request = wire.Request(method, path, query);
        request.Body = body ?? [];
        signer?.SignHeaders(request, DateTimeOffset.UtcNow, payloadHash ?? WireSigner.Sha256Hex(request.Body));
        return await wire.SendAsync(request);
    }

    public static JsonElement Json(WireResponse response)
    {
        Assert.Equal("application/json", response.Header("Content-Type"));
        return JsonDocument.Parse(response.Body).RootElement;
    }

    public static void AssertError(WireResponse response, int status, string code)
    {
        Assert.True(response.Status == status, response.ToString());
        Assert.Equal(code, Json(response).GetProperty("code").GetString());
    }
}
