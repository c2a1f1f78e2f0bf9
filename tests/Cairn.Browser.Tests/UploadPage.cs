using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Cairn.Browser.Tests;

/// <summary>
/// <c>Pages/upload.html</c> open in its own browser context: calls the page's upload functions (its script does the
/// <c>fetch</c>, as a web app's would) and saves screenshots. Disposing it closes the context.
/// </summary>
public sealed class UploadPage : IAsyncDisposable
{
    /// <summary>Longer than the page's own bound on a fetch (10 s), so the page reports its timeout first.</summary>
    private static readonly TimeSpan s_evaluateTimeout = TimeSpan.FromSeconds(20);

    private readonly IPage _page;
    private readonly List<string> _console = [];

    public UploadPage(IPage page)
    {
        _page = page;
        // Chromium says in the console why it refused an answer (the CORS check that failed, the status it hid).
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add(message.Type + ": " + message.Text);
            }
        };
    }

    /// <summary>The page's origin sends a presigned PUT with a <c>content-type</c> header (so a preflight first).</summary>
    public Task<UploadOutcome> PutAsync(string presignedUrl, string contentType, byte[] body) =>
        _page.EvaluateAsync<UploadOutcome>("args => putObject(args)", new
        {
            url = presignedUrl,
            contentType,
            base64 = Convert.ToBase64String(body),
        }).WaitAsync(s_evaluateTimeout);

    /// <summary>The page posts a form: <paramref name="fields"/> in their order, then the file as the last field, <c>file</c>.</summary>
    public Task<UploadOutcome> PostAsync(string url, IEnumerable<KeyValuePair<string, string>> fields, string fileName, string contentType, byte[] body) =>
        _page.EvaluateAsync<UploadOutcome>("args => postObject(args)", new
        {
            url,
            fields = fields.Select(field => new[] { field.Key, field.Value }).ToArray(),
            fileName,
            contentType,
            base64 = Convert.ToBase64String(body),
        }).WaitAsync(s_evaluateTimeout);

    /// <summary>Reads S3's XML answer to a POST upload the way a page would, with DOMParser.</summary>
    public Task<PostResponseFields> ReadPostResponseAsync(string xml) =>
        _page.EvaluateAsync<PostResponseFields>("xml => readPostResponse(xml)", xml).WaitAsync(s_evaluateTimeout);

    /// <summary>Saves what the page shows to <c>screenshots/&lt;class&gt;/&lt;test&gt;.png</c> in the output folder, for CI to keep.</summary>
    public async Task<string> SaveScreenshotAsync(string testClass, [CallerMemberName] string test = "")
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", testClass, test + ".png");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>For an assertion's message: what the page got, and when the browser refused the answer, what its console said why.</summary>
    public string Describe(UploadOutcome outcome)
    {
        if (outcome.Error is null)
        {
            return $"HTTP {outcome.Status}: {outcome.Body}";
        }
        lock (_console)
        {
            return outcome.Error + "; the browser's console: " + string.Join(" | ", _console);
        }
    }

    public async ValueTask DisposeAsync() => await _page.Context.CloseAsync();
}
