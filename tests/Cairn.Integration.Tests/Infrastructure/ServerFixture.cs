namespace Cairn.Integration.Tests.Infrastructure;

/// <summary>One shared server per test collection; each test makes its own bucket.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public CairnServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        // Small chunks so modest bodies span several chunks and exercise the chunk paths.
        Server = await CairnServer.StartAsync(["--chunk-size", "256KiB"]);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
