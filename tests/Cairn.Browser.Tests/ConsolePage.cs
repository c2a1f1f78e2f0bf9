using System.Runtime.CompilerServices;
using Microsoft.Playwright;

namespace Cairn.Browser.Tests;

/// <summary>
/// Cairn's web console open in its own browser context, driven as a person would (fill, click, read what
/// shows), with what the browser logged kept for failure messages. Confirmation dialogs are accepted.
/// Disposing it closes the context.
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _log = [];
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _dialogs = [];

    public ConsolePage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            lock (_log)
            {
                _log.Add(message.Type + ": " + message.Text);
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_log)
            {
                _log.Add("page error: " + error);
                _pageErrors.Add(error);
            }
        };
        page.Dialog += (_, dialog) =>
        {
            lock (_log)
            {
                _dialogs.Add(dialog.Type + ": " + dialog.Message);
            }
            dialog.AcceptAsync();
        };
    }

    public IPage Page { get; }

    /// <summary>The status line at the foot of the page: what the last action did, or its error.</summary>
    public ILocator Status => Page.Locator("#status");

    /// <summary>Signs in with the form, and waits for the bucket list (or the form's error).</summary>
    public async Task SignInAsync(string accessKey, string secretKey)
    {
        await Page.GetByLabel("Access key").FillAsync(accessKey);
        await Page.GetByLabel("Secret key").FillAsync(secretKey);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>Waits until the status line says <paramref name="text"/> (a substring).</summary>
    public Task StatusSaysAsync(string text) => Assertions.Expect(Status).ToContainTextAsync(text);

    /// <summary>The table row of an element carrying <paramref name="attribute"/> = <paramref name="value"/> (data-key, data-bucket, ...).</summary>
    public ILocator Row(string attribute, string value) => Page.Locator($"tr[{attribute}=\"{value}\"]");

    /// <summary>Saves what the page shows to <c>screenshots/ConsoleTests/&lt;test&gt;-&lt;step&gt;.png</c> in the output folder, for CI to keep.</summary>
    public async Task<string> SaveScreenshotAsync(string step, [CallerMemberName] string test = "")
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", "ConsoleTests", $"{test}-{step}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Exceptions the page's scripts threw and nothing caught (a test ends asserting there were none).</summary>
    public IReadOnlyList<string> PageErrors
    {
        get
        {
            lock (_log)
            {
                return [.. _pageErrors];
            }
        }
    }

    /// <summary>Every dialog the page opened (type and message), confirmations included.</summary>
    public IReadOnlyList<string> Dialogs
    {
        get
        {
            lock (_log)
            {
                return [.. _dialogs];
            }
        }
    }

    /// <summary>What the browser logged, for an assertion's message.</summary>
    public string Log()
    {
        lock (_log)
        {
            return string.Join('\n', _log);
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
