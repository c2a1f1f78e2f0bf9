
namespace Cairn.Storage.S3.Tests;

/// <summary>The blob store contract against a second Cairn as the upstream, without a key prefix.</summary>
[Collection(CairnUpstreamCollection.Name)]
public sealed class S3BlobBackendOnCairnTests(CairnUpstream upstream) : BlobBackendConformanceTests
{
    private S3BlobBackend? _backend;

    protected override async ValueTask<IBlobBackend> CreateBackendAsync()
    {
        var bucket = await upstream.CreateBucketAsync();
        _backend = new S3BlobBackend(new S3BlobBackendOptions
        {
            ServiceUrl = upstream.Server.Endpoint,
            Region = CairnServer.Region,
            Bucket = bucket,
            ForcePathStyle = true,
            AccessKey = CairnServer.AccessKey,
            SecretKey = CairnServer.SecretKey,
        });
        return _backend;
    }

    public override Task DisposeAsync()
    {
        _backend?.Dispose();
        return Task.CompletedTask;
    }
}
