using System.Net;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// <c>cairn</c>'s command line, credentials and the <c>tree</c> command, run in process against
/// <see cref="FakeAdminHandler"/>, which checks every signature with the server's verifier.
/// </summary>
[Trait("Issue", "11")]
public sealed class CairnCliTests
{
    private const string TreeJson =
        """{"bucket":"photos","seq":12,"commit":"bafyreicommit","root":"bafyreiroot","committedAt":"2026-12-02T21:00:00.000Z"}""";

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:0" }, false)]
    [InlineData(new[] { "--data-dir", "./data", "--region", "eu-west-1" }, false)]
    [InlineData(new[] { "urls=http://127.0.0.1:9000" }, false)]
    [InlineData(new[] { "/urls", "http://127.0.0.1:9000" }, false)]
    [InlineData(new[] { "tree", "photos" }, true)]
    [InlineData(new[] { "proof", "photos", "a.jpg" }, true)]
    [InlineData(new[] { "tre" }, true)]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "-h" }, true)]
    [InlineData(new[] { "--version" }, true)]
    public void A_command_word_or_help_runs_the_tools_and_anything_else_serves(string[] args, bool isCommand)
    {
        Assert.Equal(isCommand, CairnCli.IsCommand(args));
    }

    [Theory(Timeout = 10_000)]
    [InlineData("tree")]
    [InlineData("proof", "photos")]
    [InlineData("tree", "photos", "extra")]
    [InlineData("tre", "photos")]
    [InlineData("tree", "photos", "--bogus")]
    [InlineData("tree", "photos", "--endpoint", "ftp://127.0.0.1")]
    [InlineData("tree", "photos", "--endpoint", "not a url")]
    [InlineData]
    public async Task A_bad_command_line_exits_2_with_the_reason_and_sends_nothing(params string[] args)
    {
        // Arrange
        using var handler = new FakeAdminHandler();

        // Act
        var run = await CliRun.StartAsync(handler, args);

        // Assert
        Assert.Equal(CairnCli.ExitUsage, run.ExitCode);
        Assert.StartsWith("cairn: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.Empty(handler.Requests);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("--help")]
    [InlineData("tree", "--help")]
    [InlineData("proof", "-h")]
    [InlineData("help", "proof")]
    public async Task Help_prints_usage_and_exits_0(params string[] args)
    {
        var run = await CliRun.StartAsync(handler: null, args);

        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--endpoint", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(null, null, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")]
    [InlineData(CairnServer.AccessKey, null, "AWS_SECRET_ACCESS_KEY is not set")]
    [InlineData(null, CairnServer.SecretKey, "AWS_ACCESS_KEY_ID is not set")]
    [InlineData("", "", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")]
    public async Task Missing_credentials_exit_2_naming_the_variables_and_send_nothing(string? accessKey, string? secretKey, string message)
    {
        // Arrange
        using var handler = new FakeAdminHandler();
        var environment = new Dictionary<string, string>();
        if (accessKey is not null)
        {
            environment["AWS_ACCESS_KEY_ID"] = accessKey;
        }
        if (secretKey is not null)
        {
            environment["AWS_SECRET_ACCESS_KEY"] = secretKey;
        }

        // Act
        var tree = await CliRun.StartAsync(handler, ["tree", "photos"], environment);
        var proof = await CliRun.StartAsync(handler, ["proof", "photos", "a.jpg"], environment);

        // Assert
        foreach (var run in new[] { tree, proof })
        {
            Assert.Equal(CairnCli.ExitUsage, run.ExitCode);
            Assert.StartsWith("error: " + message, run.Stderr, StringComparison.Ordinal);
            Assert.Empty(run.Stdout);
        }
        Assert.Empty(handler.Requests);
    }

    [Fact(Timeout = 10_000)]
    public async Task Tree_prints_the_commit_line_by_line()
    {
        // Arrange
        using var handler = new FakeAdminHandler { Answer = static _ => FakeAdminHandler.Json(HttpStatusCode.OK, TreeJson) };

        // Act
        var run = await CliRun.StartAsync(handler, ["tree", "photos"]);

        // Assert
        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Equal("bucket: photos\nseq: 12\ncommit: bafyreicommit\nroot: bafyreiroot\ncommitted: 2026-12-02T21:00:00.000Z\n", run.Stdout);
        Assert.Empty(run.Stderr);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("http://127.0.0.1:9000/_cairn/buckets/photos/tree", request.RequestUri!.AbsoluteUri);
    }

    [Fact(Timeout = 10_000)]
    public async Task Tree_with_json_prints_the_answer_as_received()
    {
        using var handler = new FakeAdminHandler { Answer = static _ => FakeAdminHandler.Json(HttpStatusCode.OK, TreeJson) };

        var run = await CliRun.StartAsync(handler, ["tree", "photos", "--json"]);

        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Equal(TreeJson + "\n", run.Stdout);
    }

    [Fact(Timeout = 10_000)]
    public async Task Tree_with_flush_and_endpoint_asks_that_server_to_fold_first()
    {
        using var handler = new FakeAdminHandler { Answer = static _ => FakeAdminHandler.Json(HttpStatusCode.OK, TreeJson) };

        var run = await CliRun.StartAsync(handler, ["tree", "photos", "--flush", "--endpoint", "http://cairn.internal:8080"]);

        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://cairn.internal:8080/_cairn/buckets/photos/tree?flush=true", request.RequestUri!.AbsoluteUri);
        Assert.Equal("cairn.internal:8080", request.Headers.Host);
    }

    [Theory(Timeout = 10_000)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchBucket", "The specified bucket does not exist")]
    [InlineData(HttpStatusCode.NotFound, "NoTreeCommit", "The bucket has no tree commit yet")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidArgument", "Bad bucket name")]
    public async Task Tree_prints_the_server_s_error_and_exits_1(HttpStatusCode status, string code, string message)
    {
        // Arrange
        using var handler = new FakeAdminHandler { Answer = _ => FakeAdminHandler.Json(status, $$"""{"code":"{{code}}","message":"{{message}}"}""") };

        // Act
        var run = await CliRun.StartAsync(handler, ["tree", "photos"]);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.Equal($"error: {code}: {message}\n", run.Stderr.ReplaceLineEndings("\n"));
        Assert.Empty(run.Stdout);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_wrong_secret_is_refused_by_the_server_and_exits_1()
    {
        // Arrange
        using var handler = new FakeAdminHandler();
        var environment = CliRun.Credentials();
        environment["AWS_SECRET_ACCESS_KEY"] = "not-the-secret";

        // Act
        var run = await CliRun.StartAsync(handler, ["tree", "photos"], environment);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith("error: SignatureDoesNotMatch: ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("eu-west-1", null, "eu-west-1")]
    [InlineData(null, "ap-south-1", "ap-south-1")]
    [InlineData("eu-west-1", "ap-south-1", "eu-west-1")]
    public async Task The_region_comes_from_AWS_REGION_else_AWS_DEFAULT_REGION(string? region, string? defaultRegion, string serverRegion)
    {
        // Arrange
        using var handler = new FakeAdminHandler(serverRegion) { Answer = static _ => FakeAdminHandler.Json(HttpStatusCode.OK, TreeJson) };
        var environment = CliRun.Credentials();
        if (region is not null)
        {
            environment["AWS_REGION"] = region;
        }
        if (defaultRegion is not null)
        {
            environment["AWS_DEFAULT_REGION"] = defaultRegion;
        }

        // Act
        var run = await CliRun.StartAsync(handler, ["tree", "photos"], environment);

        // Assert
        Assert.Equal(CairnCli.ExitSuccess, run.ExitCode);
        Assert.Contains($"/{serverRegion}/s3/aws4_request", Assert.Single(handler.Requests).Headers.GetValues("Authorization").Single(),
            StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task An_answer_that_is_not_the_admin_API_s_exits_1_with_the_status()
    {
        // Arrange: what a server without the admin API answers (S3's XML).
        using var handler = new FakeAdminHandler
        {
            Answer = static _ => new HttpResponseMessage(HttpStatusCode.NotFound)
            {
                Content = new StringContent("<Error><Code>NoSuchBucket</Code></Error>", System.Text.Encoding.UTF8, "application/xml"),
            },
        };

        // Act
        var run = await CliRun.StartAsync(handler, ["tree", "photos"]);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith("error: HTTP 404 NotFound: not an admin API answer (application/xml)", run.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_unreachable_server_exits_1_naming_the_endpoint()
    {
        // Arrange: a port nothing listens on (bound, then released).
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // Act
        var run = await CliRun.StartAsync(handler: null, ["tree", "photos", "--endpoint", $"http://127.0.0.1:{port}"]);

        // Assert
        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith($"error: cannot reach http://127.0.0.1:{port}/", run.Stderr, StringComparison.Ordinal);
    }
}
