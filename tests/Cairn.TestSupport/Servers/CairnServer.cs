using Amazon.Runtime;
using Amazon.S3;
using Cairn.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.TestSupport;

/// <summary>
/// A real Cairn server on 127.0.0.1 with a random port and its own data directory, plus an AWS SDK
/// client with default settings (aws-chunked bodies with trailing CRC checksums).
/// </summary>
public sealed class CairnServer : IAsyncDisposable
{
    public const string AccessKey = "AKIDCAIRNTEST0000001";
    public const string SecretKey = "cairn-test-secret-key-0123456789abcdefghij";
    public const string Region = "us-east-1";

    private CairnServer(WebApplication app, string dataDirectory, string endpoint)
    {
        App = app;
        DataDirectory = dataDirectory;
        Endpoint = endpoint;
        Client = CreateClient();
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public string Endpoint { get; }

    public AmazonS3Client Client { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts a server. <paramref name="extraArgs"/> go on the command line; <paramref name="configureServices"/> may replace services.</summary>
    public static async Task<CairnServer> StartAsync(IEnumerable<string>? extraArgs = null, Action<IServiceCollection>? configureServices = null,
        string? dataDirectory = null)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "cairn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--data-dir", dataDirectory,
            "--access-key", AccessKey,
            "--secret-key", SecretKey,
            "--region", Region,
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs ?? [],
        ];
        var app = ServerHost.Build(args, configureServices);
        await ServerHost.InitializeAsync(app);
        await app.StartAsync();
        var endpoint = ServerHost.Addresses(app).First();
        return new CairnServer(app, dataDirectory, endpoint);
    }

    /// <summary>A client for this server; <paramref name="configure"/> may change the SDK settings.</summary>
    public AmazonS3Client CreateClient(Action<AmazonS3Config>? configure = null, string accessKey = AccessKey, string secretKey = SecretKey)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            MaxErrorRetry = 0,
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), config);
    }

    /// <summary>A fresh bucket name, unique per call (one bucket per test).</summary>
    public static string NewBucketName(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];

    private bool _stopped;

    /// <summary>Stops the server and leaves its data directory as it is (a later server may start on it; the caller deletes it).</summary>
    public async Task StopKeepingDataAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }
        await StopKeepingDataAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}
