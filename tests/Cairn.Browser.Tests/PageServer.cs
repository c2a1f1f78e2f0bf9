using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Browser.Tests;

/// <summary>
/// The web app's origin: a Kestrel server on a free port of 127.0.0.1 that serves <c>Pages/upload.html</c>.
/// Another port than Cairn's, so another origin: the page's uploads are cross-origin, as a real web app's are.
/// </summary>
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app, string origin)
    {
        _app = app;
        Origin = origin;
    }

    /// <summary>The page's origin, e.g. <c>http://127.0.0.1:41234</c> (what a CORS rule allows).</summary>
    public string Origin { get; }

    /// <summary>The upload page.</summary>
    public string UploadPageUrl => Origin + "/upload.html";

    public static async Task<PageServer> StartAsync(CancellationToken cancellationToken)
    {
        var pages = Path.Combine(AppContext.BaseDirectory, "Pages");
        // The content root is the pages folder: the output folder's appsettings.json is Cairn's, not this server's.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = pages });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var page = Path.Combine(pages, "upload.html");
        app.MapGet("/upload.html", () => Results.File(page, "text/html; charset=utf-8"));
        app.MapGet("/favicon.ico", () => Results.NoContent());
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Urls.Single(); // the port Kestrel bound
            return new PageServer(app, new Uri(address).GetLeftPart(UriPartial.Authority));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
