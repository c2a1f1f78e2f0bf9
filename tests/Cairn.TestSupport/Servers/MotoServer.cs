using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace Cairn.TestSupport;

/// <summary>
/// moto_server (moto 5, an S3 emulator in Python) on 127.0.0.1 at a free port, started for a test
/// collection and stopped by its process id. moto keeps everything in memory and checks no
/// signatures, so any credentials do.
/// </summary>
public sealed class MotoServer : IAsyncLifetime
{
    public const string AccessKey = "moto-access-key";
    public const string SecretKey = "moto-secret-key";
    public const string Region = "us-east-1";

    private const int StartAttempts = 3;

    private Process? _process;
    private readonly List<string> _output = [];

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>An SDK client for setting up buckets and checking what landed, outside the backend under test.</summary>
    public AmazonS3Client Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The free port is found by binding and releasing it, so another process may take it in
        // between; a start that fails is retried on a new port.
        Exception? last = null;
        for (var attempt = 0; attempt < StartAttempts; attempt++)
        {
            var port = FreeLoopbackPort();
            try
            {
                await StartAsync(port);
                Endpoint = $"http://127.0.0.1:{port}";
                Client = NewClient(Endpoint);
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                last = ex;
                Stop();
            }
        }
        throw new InvalidOperationException($"moto_server did not start: {last?.Message}{Environment.NewLine}{string.Join(Environment.NewLine, _output)}", last);
    }

    public Task DisposeAsync()
    {
        Client?.Dispose();
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Creates a fresh bucket (one per test) and returns its name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var bucket = "moto-" + Guid.NewGuid().ToString("N");
        await Client.PutBucketAsync(bucket);
        return bucket;
    }

    public static AmazonS3Client NewClient(string endpoint, string accessKey = AccessKey, string secretKey = SecretKey) =>
        new(new BasicAWSCredentials(accessKey, secretKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            MaxErrorRetry = 0,
        });

    private async Task StartAsync(int port)
    {
        var start = new ProcessStartInfo("moto_server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("moto_server is not on PATH (Python package moto[server]).", ex);
        }
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnsweringAsync(port);
    }

    /// <summary>Polls the root URL (moto answers with a bucket list) for up to 30 seconds.</summary>
    private async Task WaitUntilAnsweringAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode}.");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("moto_server did not answer within 30 seconds.");
    }

    /// <summary>Kills the process this fixture started, by its handle (its id), and nothing else.</summary>
    private void Stop()
    {
        if (_process is null)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        _process.Dispose();
        _process = null;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 100)
            {
                _output.RemoveAt(0);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
