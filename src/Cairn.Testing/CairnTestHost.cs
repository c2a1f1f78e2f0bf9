using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Cairn.Server;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Testing;

/// <summary>Where a <see cref="CairnTestHost"/> keeps object bodies.</summary>
public enum CairnTestStorage
{
    /// <summary>Bodies as files in the host's temporary directory, as a real server keeps them.</summary>
    TempDirectory,

    /// <summary>Bodies in memory (faster, gone with the host). The catalog stays a SQLite file in the temporary directory.</summary>
    InMemory,
}

/// <summary>How a <see cref="CairnTestHost"/> starts.</summary>
public sealed record CairnTestHostOptions
{
    /// <summary>Where bodies are kept. Default <see cref="CairnTestStorage.TempDirectory"/>.</summary>
    public CairnTestStorage Storage { get; init; } = CairnTestStorage.TempDirectory;

    /// <summary>The region clients sign for. Default us-east-1.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>More server settings, as command-line options (for example <c>--Engine:ChunkSize=1MiB</c>).</summary>
    public IReadOnlyList<string> ServerArguments { get; init; } = [];
}

/// <summary>
/// A real Cairn server inside the test process (issue 14): the same composition root as the
/// <c>cairn</c> executable, on a free port of 127.0.0.1, with its own temporary directory and a
/// fresh root key pair; <see cref="Client"/> is an <see cref="AmazonS3Client"/> for it. Disposing
/// the host stops the server and deletes the directory. Hosts are independent: a test class or a
/// whole test run can each have its own.
/// </summary>
/// <example>
/// <code>
/// await using var cairn = await CairnTestHost.StartAsync();
/// await cairn.Client.PutBucketAsync("photos");
/// </code>
/// </example>
public sealed class CairnTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _disposed;

    private CairnTestHost(WebApplication app, string directory, string endpoint, string accessKey, string secretKey, string region)
    {
        _app = app;
        DataDirectory = directory;
        Endpoint = endpoint;
        AccessKey = accessKey;
        SecretKey = secretKey;
        Region = region;
        Client = CreateClient();
    }

    /// <summary>The server's URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The root access key id (made for this host).</summary>
    public string AccessKey { get; }

    /// <summary>The root secret key (made for this host).</summary>
    public string SecretKey { get; }

    /// <summary>The region clients sign for.</summary>
    public string Region { get; }

    /// <summary>The host's temporary directory (catalog, and bodies unless in memory); deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>A client with root's keys, path-style addressing and no retries (a test sees the first answer). Disposed with the host.</summary>
    public AmazonS3Client Client { get; }

    /// <summary>Starts a server and waits until it answers.</summary>
    public static async Task<CairnTestHost> StartAsync(CairnTestHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CairnTestHostOptions();
        var directory = Path.Combine(Path.GetTempPath(), "cairn-test-host", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var accessKey = "CKTEST" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 14);
        var secretKey = RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 40);
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--data-dir", directory,
            "--access-key", accessKey,
            "--secret-key", secretKey,
            "--region", options.Region,
            "--Logging:LogLevel:Default=Warning",
            .. options.Storage == CairnTestStorage.InMemory ? (string[])["--Storage:Backend=memory"] : [],
            .. options.ServerArguments,
        ];
        WebApplication? app = null;
        try
        {
            app = ServerHost.Build(args);
            await ServerHost.InitializeAsync(app).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new CairnTestHost(app, directory, ServerHost.Addresses(app).First(), accessKey, secretKey, options.Region);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>Another client for this server: root's keys unless others are given (a user's, made with the admin API); <paramref name="configure"/> may change the SDK's settings.</summary>
    public AmazonS3Client CreateClient(string? accessKey = null, string? secretKey = null, Action<AmazonS3Config>? configure = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            MaxErrorRetry = 0,
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(accessKey ?? AccessKey, secretKey ?? SecretKey), config);
    }

    /// <summary>Stops the server and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Client.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        DeleteDirectory(DataDirectory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary directory is harmless.
        }
    }
}
