using Cairn.Engine.Workers;
using Microsoft.Extensions.Hosting;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// A server of its own for the bad-input tests, so <see cref="StoreSnapshot"/> can demand an exact
/// store: 64 KiB chunks (the smallest allowed, so modest bodies write several blobs before a late
/// error), a zero grace period and no background sweeper (the tests sweep when they look).
/// </summary>
public sealed class BadInputFixture : IAsyncLifetime
{
    public CairnServer Server { get; private set; } = null!;

    internal WireClient Wire { get; private set; } = null!;

    internal WireSigner Signer { get; } = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    internal WireSigV2Signer SignerV2 { get; } = new(CairnServer.AccessKey, CairnServer.SecretKey);

    public async Task InitializeAsync()
    {
        Server = await CairnServer.StartAsync(["--chunk-size", "64KiB", "--Engine:GracePeriod=00:00:00"], static services =>
        {
            var workerHost = services.Single(static d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(WorkerHost));
            services.Remove(workerHost);
        });
        Wire = new WireClient(Server.Endpoint);
    }

    public async Task DisposeAsync()
    {
        Wire.Dispose();
        await Server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BadInputCollection : ICollectionFixture<BadInputFixture>
{
    public const string Name = "bad-input";
}
