using System.Collections.Concurrent;
using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// A Cairn server in a child process (<c>dotnet cairn.dll</c>), so a test can SIGKILL it and start a
/// new one on the same data directory. The child is killed by its handle only, on
/// <see cref="KillAsync"/>, on dispose, and (for a test that timed out and was abandoned) when the
/// test process exits.
/// </summary>
internal sealed class CairnProcess : IAsyncDisposable
{
    private const string BannerPrefix = "Cairn S3 endpoint: ";
    private const int OutputLinesKept = 200;
    private static readonly ConcurrentDictionary<int, Process> s_running = new();

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    static CairnProcess() => AppDomain.CurrentDomain.ProcessExit += static (_, _) =>
    {
        foreach (var process in s_running.Values)
        {
            TryKill(process);
        }
    };

    private CairnProcess(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public string Endpoint { get; private set; }

    /// <summary>The child's last lines of stdout and stderr, for failure messages.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Starts <c>dotnet cairn.dll</c> on <paramref name="dataDirectory"/>, listening on a port the OS
    /// picks (read back from the startup banner, so no other test can take it in between), and
    /// returns once <c>/_cairn/health</c> answers. <paramref name="environment"/> sets variables of the
    /// child's own (e.g. <c>TMPDIR</c>, so a test can see the scratch files it leaves).
    /// </summary>
    public static async Task<CairnProcess> StartAsync(string dataDirectory, IEnumerable<string> extraArgs, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var serverDll = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
        Assert.True(File.Exists(serverDll), $"{serverDll} is missing: the test project references Cairn.Server, which copies it there.");
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[serverDll, "--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory,
            "--access-key", CairnServer.AccessKey, "--secret-key", CairnServer.SecretKey, "--region", CairnServer.Region,
            "--Logging:LogLevel:Default=Warning", .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }
        // The command line decides everything; nothing from the test's environment leaks into the child.
        foreach (var variable in start.Environment.Keys.Where(static name =>
            name.StartsWith("CAIRN_", StringComparison.Ordinal) || name is "ASPNETCORE_URLS" or "DOTNET_URLS").ToList())
        {
            start.Environment.Remove(variable);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var banner = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new CairnProcess(process, "");
        process.OutputDataReceived += (_, e) => child.OnOutput(e.Data, banner);
        process.ErrorDataReceived += (_, e) => child.OnOutput(e.Data, banner: null);
        process.Exited += (_, _) => banner.TrySetException(new InvalidOperationException("cairn exited during startup."));
        Assert.True(process.Start(), "dotnet cairn.dll did not start.");
        s_running[process.Id] = process;
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            child.Endpoint = await banner.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            await child.WaitForHealthAsync(cancellationToken);
            return child;
        }
        catch (Exception ex)
        {
            await child.KillAsync();
            throw new InvalidOperationException($"cairn did not start: {ex.Message}{Environment.NewLine}{child.RecentOutput}", ex);
        }
    }

    /// <summary>An AWS SDK client with default settings (aws-chunked bodies, CRC trailers) and no retries.</summary>
    public AmazonS3Client CreateClient() => new(new BasicAWSCredentials(CairnServer.AccessKey, CairnServer.SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = CairnServer.Region,
        MaxErrorRetry = 0,
        Timeout = TimeSpan.FromSeconds(30),
    });

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux) to this child only, then waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        TryKill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            s_running.TryRemove(_process.Id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>The dotnet host running these tests (so the child uses the same runtime), else dotnet on PATH.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    private void OnOutput(string? line, TaskCompletionSource<string>? banner)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }
        if (banner is not null && line.StartsWith(BannerPrefix, StringComparison.Ordinal))
        {
            banner.TrySetResult(line[BannerPrefix.Length..].Trim());
        }
    }

    private async Task WaitForHealthAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                var body = await http.GetStringAsync(new Uri(Endpoint + "/_cairn/health"), cancellationToken);
                if (body == "ok")
                {
                    return;
                }
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet, or slow to answer: try again until the deadline.
            }
            Assert.False(_process.HasExited, "cairn exited while starting.");
            Assert.True(DateTime.UtcNow < deadline, "cairn did not answer /_cairn/health in time.");
            await Task.Delay(100, cancellationToken);
        }
        Assert.Fail("cairn did not answer /_cairn/health.");
    }
}
