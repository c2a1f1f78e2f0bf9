using System.CommandLine;

namespace Cairn.Server.Cli;

/// <summary>What every subcommand runs with: its output streams, how it reaches the server, the environment, and where progress is drawn.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler, Func<string, string?> environment,
    CliProgress progress)
{
    /// <summary>The default of <c>--endpoint</c>: a server started with no options.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:9000";

    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    /// <summary><c>--endpoint URL</c>, on every subcommand.</summary>
    public Option<Uri> Endpoint { get; } = new("--endpoint")
    {
        Description = "The Cairn server's URL.",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = static _ => new Uri(DefaultEndpoint),
        CustomParser = static result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment))
            {
                return uri;
            }
            result.AddError($"--endpoint must be an http:// or https:// URL, not '{text}'.");
            return null;
        },
    };

    /// <summary><c>--no-progress</c>, on the commands that draw a progress bar on a terminal.</summary>
    public Option<bool> NoProgress { get; } = new("--no-progress") { Description = "Draw no progress bar, even on a terminal." };

    /// <summary>The progress bars of a command that has <see cref="NoProgress"/>: none when it was given.</summary>
    public CliProgress Progress(ParseResult parseResult) => parseResult.GetValue(NoProgress) ? CliProgress.None : progress;

    /// <summary>
    /// A client for the admin API at <c>--endpoint</c>, signing with the environment's credentials;
    /// null, with the reason on stderr, when the credentials are missing.
    /// </summary>
    public async Task<(AdminClient Client, HttpClient Http)?> ConnectAsync(ParseResult parseResult)
    {
        var credentials = CliCredentials.Read(environment, out var missing);
        if (credentials is null)
        {
            await Stderr.WriteLineAsync(
                $"error: {missing} not set. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the server's access key and secret key "
                + "(it prints them when it starts); AWS_REGION if it is not us-east-1.").ConfigureAwait(false);
            return null;
        }
        var http = handler is null
            ? new HttpClient()
            : new HttpClient(handler, disposeHandler: false);
        http.MaxResponseContentBufferSize = AdminClient.MaxResponseBytes;
        var endpoint = parseResult.GetRequiredValue(Endpoint);
        return (new AdminClient(http, endpoint, credentials, TimeProvider.System), http);
    }

    /// <summary>
    /// GETs <paramref name="pathAndQuery"/> from the admin API and prints the answer: as received with
    /// <paramref name="json"/>, else as <paramref name="format"/> renders it (null: the answer is not
    /// <paramref name="what"/>, which fails the command). The exit code.
    /// </summary>
    public Task<int> GetAndPrintAsync(ParseResult parseResult, string pathAndQuery, bool json, Func<byte[], string?> format, string what,
        CancellationToken cancellationToken) =>
        SendAndPrintAsync(parseResult, HttpMethod.Get, pathAndQuery, json, format, what, cancellationToken);

    /// <summary>
    /// Sends a bodiless <paramref name="method"/> request for <paramref name="pathAndQuery"/> to the
    /// admin API and prints the answer as <see cref="GetAndPrintAsync"/> does. The exit code.
    /// </summary>
    public Task<int> SendAndPrintAsync(ParseResult parseResult, HttpMethod method, string pathAndQuery, bool json, Func<byte[], string?> format,
        string what, CancellationToken cancellationToken) =>
        SendAndPrintAsync(parseResult, method, pathAndQuery, body: null, json, format, what, cancellationToken);

    /// <summary>As the bodiless overload, sending <paramref name="body"/> (S3's configuration calls: a bucket policy).</summary>
    public async Task<int> SendAndPrintAsync(ParseResult parseResult, HttpMethod method, string pathAndQuery, byte[]? body, bool json,
        Func<byte[], string?> format, string what, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(parseResult).ConfigureAwait(false);
        if (connection is null)
        {
            return CairnCli.ExitUsage;
        }
        var (client, http) = connection.Value;
        using (http)
        {
            AdminResponse response;
            try
            {
                response = await client.SendAsync(method, pathAndQuery, body, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                return await FailAsync(ex.Message).ConfigureAwait(false);
            }
            if (!response.IsSuccess)
            {
                return await FailAsync(response.Error(s3Call: !pathAndQuery.StartsWith("/_cairn/", StringComparison.Ordinal))).ConfigureAwait(false);
            }
            if (json)
            {
                var text = System.Text.Encoding.UTF8.GetString(response.Body);
                await Stdout.WriteAsync(text.EndsWith('\n') ? text : text + "\n").ConfigureAwait(false);
                return CairnCli.ExitSuccess;
            }
            var lines = format(response.Body);
            if (lines is null)
            {
                return await FailAsync($"the server's answer is not {what}: " + System.Text.Encoding.UTF8.GetString(response.Body)).ConfigureAwait(false);
            }
            await Stdout.WriteAsync(lines).ConfigureAwait(false);
            return CairnCli.ExitSuccess;
        }
    }

    /// <summary>The lines <paramref name="format"/> makes of a JSON answer; null when the answer is not that JSON.</summary>
    public static string? FormatJson(byte[] body, Func<System.Text.Json.JsonElement, string> format)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(body);
            return format(document.RootElement);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Reports a failed exchange (the server's error, or no answer at all) and returns the exit code for it.</summary>
    public async Task<int> FailAsync(string message)
    {
        await Stderr.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return CairnCli.ExitServerError;
    }
}
