using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Server;

/// <summary>
/// The web console at <c>/_cairn/console/</c> (issue 14): static files compiled into this assembly
/// (<c>Console/</c>), and <c>settings.json</c>, the region requests are signed for.
/// </summary>
/// <remarks>
/// The console is a client of the S3 API and the admin API like any other: the page signs each call
/// with SigV4 in the browser (Web Crypto), with the keys typed at sign-in, and the server authorizes
/// each as it authorizes the SDK's. The files themselves hold no data and are served to anyone; there
/// is no session, cookie or other way in (no second door to guard). The pages are same-origin only
/// (a strict Content-Security-Policy, no framing) and write what they show as text, never as markup.
/// </remarks>
public static class ServerConsole
{
    /// <summary>Where the console is served.</summary>
    public const string Path = "/_cairn/console/";

    private const string ResourcePrefix = "console/";

    private static readonly FrozenDictionary<string, string> s_mediaTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Asset> s_assets = LoadAssets();

    /// <summary>True for <c>/_cairn/console</c> and below.</summary>
    public static bool Serves(string? path) =>
        path is not null && (path == Path[..^1] || path.StartsWith(Path, StringComparison.Ordinal));

    /// <summary>Answers a GET or HEAD of a console file (index.html for the folder itself); 404 for any other name.</summary>
    public static async Task ServeAsync(HttpContext context, string region)
    {
        var path = context.Request.Path.Value!;
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }
        if (path.Length < Path.Length)
        {
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = Path;
            return;
        }
        var name = path[Path.Length..];
        Asset? asset = name switch
        {
            "" => s_assets.GetValueOrDefault("index.html"),
            "settings.json" => Asset.Create("settings.json", "application/json",
                Encoding.UTF8.GetBytes($$"""{"region":{{System.Text.Json.JsonSerializer.Serialize(region)}}}""")),
            _ => s_assets.GetValueOrDefault(name),
        };
        if (asset is null)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync("not found", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        var headers = response.Headers;
        // Scripts from this origin only, no inline code, calls to this origin only, never framed.
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // A window that opened the console, or that it opens, gets no handle on it.
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load: a new server version's console is never mixed with a cached one.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (Matches(context.Request.Headers.IfNoneMatch, asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.MediaType;
        response.ContentLength = asset.Body.Length;
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await response.Body.WriteAsync(asset.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>If-None-Match as RFC 9110 13.1.2 reads it: <c>*</c>, or a list of tags compared weakly (a proxy that compresses marks them W/).</summary>
    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (tag == "*" || (tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag) == etag)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(ServerConsole).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(static name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!s_mediaTypes.TryGetValue(System.IO.Path.GetExtension(name), out var mediaType))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var body = new MemoryStream();
            stream.CopyTo(body);
            assets[name] = Asset.Create(name, mediaType, body.ToArray());
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(string Name, string MediaType, byte[] Body, string ETag)
    {
        public static Asset Create(string name, string mediaType, byte[] body) =>
            new(name, mediaType, body, "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"");
    }
}
