
namespace Cairn.Storage.S3.Tests;

/// <summary>A second Cairn, in process on 127.0.0.1, as the upstream bucket store: Cairn as its own gateway target.</summary>
public sealed class CairnUpstream : IAsyncLifetime
{
    public CairnServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await CairnServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Creates a fresh bucket (one per test) and returns its name.</summary>
    public async Task<string> CreateBucketAsync()
    {
        var bucket = CairnServer.NewBucketName("up");
        await Server.Client.PutBucketAsync(bucket);
        return bucket;
    }
}

[CollectionDefinition(Name)]
public sealed class CairnUpstreamCollection : ICollectionFixture<CairnUpstream>
{
    public const string Name = "cairn-upstream";
}
