using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Testing;
using Microsoft.Playwright;

namespace Cairn.Browser.Tests;

/// <summary>
/// One headless Chromium per test class (xunit's class fixture), with a Cairn server and the page's own origin
/// beside it. Each test opens its own browser context (fresh cookies and cache) and its own bucket.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's package (e2e/install-deps.sh installs it); Playwright downloads no browser of its own here.</summary>
    private const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Bounds each Playwright action and each start or stop here, so a stuck browser fails the test instead of hanging it.</summary>
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(15);

    private IPlaywright? _playwright;

    public CairnTestHost Cairn { get; private set; } = null!;

    public PageServer Pages { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public AmazonS3Client S3 => Cairn.Client;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(s_step * 2);
        Cairn = await CairnTestHost.StartAsync(new CairnTestHostOptions { Storage = CairnTestStorage.InMemory }, timeout.Token);
        Pages = await PageServer.StartAsync(timeout.Token);
        // Starts the Node.js driver that the build copied next to this assembly (.playwright/).
        _playwright = await Playwright.CreateAsync().WaitAsync(timeout.Token);
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Tests run as root, where Chromium's sandbox cannot start; off, Playwright passes --no-sandbox.
            ChromiumSandbox = false,
            Timeout = (float)s_step.TotalMilliseconds,
        });
    }

    /// <summary>A new bucket for one test, with <paramref name="cors"/> as its only CORS rule when one is given.</summary>
    public async Task<string> CreateBucketAsync(string prefix, CORSRule? cors = null)
    {
        var bucket = prefix + "-" + Guid.NewGuid().ToString("N")[..12];
        await S3.PutBucketAsync(bucket);
        if (cors is not null)
        {
            await S3.PutCORSConfigurationAsync(new PutCORSConfigurationRequest { BucketName = bucket, Configuration = new CORSConfiguration { Rules = [cors] } });
        }
        return bucket;
    }

    /// <summary>An object's bytes, content type and ETag, read back with the AWS SDK.</summary>
    public async Task<(byte[] Body, string ContentType, string ETag)> ReadObjectAsync(string bucket, string key)
    {
        using var response = await S3.GetObjectAsync(bucket, key);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        return (body.ToArray(), response.Headers.ContentType, response.ETag);
    }

    /// <summary>Random bytes from a fixed seed (any byte value, not only text): what a test uploads and compares.</summary>
    public static byte[] RandomBody(int length, int seed)
    {
        var body = new byte[length];
        new Random(seed).NextBytes(body);
        return body;
    }

    /// <summary>A new browser context with the upload page loaded from <see cref="PageServer.Origin"/>.</summary>
    public async Task<UploadPage> OpenUploadPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 900, Height = 420 } });
        context.SetDefaultTimeout((float)s_step.TotalMilliseconds);
        try
        {
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync(Pages.UploadPageUrl);
            Assert.Equal(200, response?.Status);
            return new UploadPage(page);
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    /// <summary>
    /// A new browser context with Cairn's web console loaded (its sign-in form), from Cairn's own origin;
    /// <paramref name="initScript"/>, when given, runs in the page before its own scripts.
    /// </summary>
    public async Task<ConsolePage> OpenConsoleAsync(string? initScript = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1100, Height = 800 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout((float)s_step.TotalMilliseconds);
        try
        {
            if (initScript is not null)
            {
                await context.AddInitScriptAsync(initScript);
            }
            var page = await context.NewPageAsync();
            var console = new ConsolePage(context, page);
            var response = await page.GotoAsync(Cairn.Endpoint + "/_cairn/console/");
            Assert.Equal(200, response?.Status);
            return console;
        }
        catch
        {
            await context.CloseAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // Every step runs, each bounded, even when one before it failed; the failures are reported together.
        List<Exception> failures = [];
        async Task StepAsync(Func<Task> step)
        {
            try
            {
                await step().WaitAsync(s_step);
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (Browser is not null)
        {
            await StepAsync(() => Browser.CloseAsync());
        }
        await StepAsync(() =>
        {
            _playwright?.Dispose(); // stops the driver process
            return Task.CompletedTask;
        });
        if (Pages is not null)
        {
            await StepAsync(() => Pages.DisposeAsync().AsTask());
        }
        if (Cairn is not null)
        {
            await StepAsync(() => Cairn.DisposeAsync().AsTask());
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("Stopping the browser fixture failed.", failures);
        }
    }
}
