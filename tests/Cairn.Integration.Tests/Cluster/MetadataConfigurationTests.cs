using Cairn.Server;
using Npgsql;

namespace Cairn.Integration.Tests.Cluster;

/// <summary>Bad catalog settings stop the server at start with a message that names the setting to fix.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MetadataConfigurationTests(PostgresCluster postgres)
{
    [Theory]
    [InlineData("--Metadata:Provider=oracle", "CAIRN_METADATA (Metadata:Provider) must be 'sqlite' or 'postgres' (was 'oracle')")]
    [InlineData("--Metadata:Provider=postgres", "CAIRN_POSTGRES (Metadata:Postgres) must hold the PostgreSQL connection string")]
    [InlineData("--Metadata:CacheSize=lots", "Metadata:CacheSize is not a size")]
    public void Invalid_settings_fail_the_build_naming_the_setting(string setting, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServerHost.Build(
            ["--urls", "http://127.0.0.1:0", "--data-dir", Path.Combine(Path.GetTempPath(), "cairn-tests", Guid.NewGuid().ToString("N")), setting]));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_connection_string_that_does_not_parse_is_named()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CairnServer.StartAsync(["--Metadata:Provider=postgres", "--Metadata:Postgres=Hostess=nowhere;Colour=blue"]));
        Assert.StartsWith("CAIRN_POSTGRES (Metadata:Postgres) is not a valid connection string", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_unreachable_PostgreSQL_fails_the_start_naming_the_setting()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CairnServer.StartAsync(
            ["--Metadata:Provider=postgres", "--Metadata:Postgres=Host=127.0.0.1;Port=1;Username=cairn;Password=x;Timeout=3"]));
        Assert.StartsWith("The metadata catalog is not usable; check CAIRN_POSTGRES (Metadata:Postgres)", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrong_credentials_fail_the_start_naming_the_setting_and_never_echo_the_password()
    {
        // Arrange: the right server, the wrong password.
        var wrong = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = "not-the-password-4711" }.ConnectionString;

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            CairnServer.StartAsync(["--Metadata:Provider=postgres", $"--Metadata:Postgres={wrong}"]));

        // Assert
        Assert.StartsWith("The metadata catalog is not usable; check CAIRN_POSTGRES (Metadata:Postgres)", error.Message, StringComparison.Ordinal);
        Assert.Contains("password authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-4711", error.Message, StringComparison.Ordinal);
    }
}
