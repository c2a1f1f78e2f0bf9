using System.Diagnostics;
using Npgsql;

namespace Cairn.TestSupport;

/// <summary>
/// The PostgreSQL server the tests run against, shared by a test collection: the one named by
/// <c>CAIRN_TEST_POSTGRES</c> (an Npgsql connection string with rights to create databases; test.sh
/// sets it), else a throwaway cluster started here through <c>e2e/postgres.sh</c> and stopped at the
/// end. When neither works the tests fail with the reason; they are never skipped.
/// Each test gets a fresh database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
/// <remarks>Depends on nothing else in this project, so other test projects can share it.</remarks>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>The collection of every test class that uses the cluster.</summary>
    public const string Collection = "PostgreSQL";

    /// <summary>The environment variable that names an existing server.</summary>
    public const string EnvironmentVariable = "CAIRN_TEST_POSTGRES";

    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(10);

    private string? _clusterDirectory;
    private string? _script;
    private NpgsqlDataSource? _admin;

    /// <summary>The server's connection string, without a database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
        }
        else
        {
            _script = FindScript();
            _clusterDirectory = Path.Combine(Path.GetTempPath(), "cairn-pg-" + Guid.NewGuid().ToString("N"));
            var (exitCode, output, error) = await RunScriptAsync("start", _clusterDirectory);
            if (exitCode != 0 || string.IsNullOrWhiteSpace(output))
            {
                throw new InvalidOperationException(
                    $"{EnvironmentVariable} is not set and e2e/postgres.sh could not start a throwaway cluster (exit {exitCode}): {error.Trim()}");
            }
            ConnectionString = output.Trim().Split('\n')[^1];
        }
        _admin = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString);
        await using var probe = await _admin.OpenConnectionAsync();
    }

    public async Task DisposeAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }
        NpgsqlConnection.ClearAllPools();
        if (_clusterDirectory is not null)
        {
            var (exitCode, _, error) = await RunScriptAsync("stop", _clusterDirectory);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"e2e/postgres.sh stop failed (exit {exitCode}): {error.Trim()}");
            }
        }
    }

    /// <summary>Creates an empty database with a unique name; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "cairn_test_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {name}");
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new ArgumentException("The connection string names no database.", nameof(connectionString));
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _admin!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>e2e/postgres.sh of the repository the tests were built in (found upwards from the test binaries).</summary>
    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, "e2e", "postgres.sh");
            if (File.Exists(script))
            {
                return script;
            }
        }
        throw new InvalidOperationException(
            $"{EnvironmentVariable} is not set and e2e/postgres.sh was not found above {AppContext.BaseDirectory}.");
    }

    private async Task<(int ExitCode, string Output, string Error)> RunScriptAsync(string verb, string directory)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(_script!);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ScriptTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"e2e/postgres.sh {verb} did not finish within {ScriptTimeout}.");
        }
        return (process.ExitCode, await output, await error);
    }
}
