
namespace Cairn.Storage.S3.Tests;

/// <summary>The blob store contract against moto_server, with a key prefix so every key is prefixed on the wire.</summary>
[Collection(MotoCollection.Name)]
public sealed class S3BlobBackendOnMotoTests(MotoServer moto) : BlobBackendConformanceTests
{
    private S3BlobBackend? _backend;

    /// <summary>moto checks If-None-Match: * and then writes, without a lock between.</summary>
    protected override bool ConditionalCreateIsAtomic => false;

    /// <summary>moto answers 500 (a KeyError) for an unknown upload id and accepts any key with a known one.</summary>
    protected override bool ChecksUploadIds => false;

    /// <summary>moto lists every upload as initiated on 2010-11-10.</summary>
    protected override bool ReportsUploadStartTimes => false;

    /// <summary>moto now and then answers 500 to one of several racing PUTs of one key.</summary>
    protected override bool ConcurrentPutsOfOneNameAlwaysSucceed => false;

    protected override async ValueTask<IBlobBackend> CreateBackendAsync()
    {
        var bucket = await moto.CreateBucketAsync();
        _backend = new S3BlobBackend(new S3BlobBackendOptions
        {
            ServiceUrl = moto.Endpoint,
            Region = MotoServer.Region,
            Bucket = bucket,
            KeyPrefix = "cairn/",
            ForcePathStyle = true,
            AccessKey = MotoServer.AccessKey,
            SecretKey = MotoServer.SecretKey,
        });
        return _backend;
    }

    public override Task DisposeAsync()
    {
        _backend?.Dispose();
        return Task.CompletedTask;
    }
}
