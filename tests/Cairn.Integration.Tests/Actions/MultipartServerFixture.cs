using Cairn.Engine.Workers;
using Cairn.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// A server of its own for the multipart action tests, so they can demand an exact store with
/// <see cref="BadInput.StoreSnapshot"/>: 256 KiB chunks as in <see cref="ServerFixture"/> (a 5 MiB
/// part is 20 chunks), a zero grace period and no background workers (the tests sweep when they
/// look; the abandoned-upload cleaner is covered by the engine tests on a fake clock).
/// </summary>
public sealed class MultipartServerFixture : IAsyncLifetime
{
    public CairnServer Server { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Server = await CairnServer.StartAsync(["--chunk-size", "256KiB", "--Engine:GracePeriod=00:00:00"], static services =>
        {
            var workerHost = services.Single(static d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(WorkerHost));
            services.Remove(workerHost);
        });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class MultipartServerCollection : ICollectionFixture<MultipartServerFixture>
{
    public const string Name = "multipart";
}
