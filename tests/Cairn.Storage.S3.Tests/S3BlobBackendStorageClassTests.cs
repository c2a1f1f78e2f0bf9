using Amazon.S3.Model;

namespace Cairn.Storage.S3.Tests;

/// <summary>The storage class a cold tier writes with (issue 13): sent on every object-creating request, or not at all.</summary>
[Collection(MotoCollection.Name)]
[Trait("Issue", "13")]
public sealed class S3BlobBackendStorageClassTests(MotoServer moto)
{
    private const int Timeout = 60_000;

    private static CancellationToken Ct => CancellationToken.None;

    private S3BlobBackendOptions Options(string bucket, string? storageClass) => new()
    {
        ServiceUrl = moto.Endpoint,
        Region = MotoServer.Region,
        Bucket = bucket,
        ForcePathStyle = true,
        AccessKey = MotoServer.AccessKey,
        SecretKey = MotoServer.SecretKey,
        StorageClass = storageClass,
    };

    private static async Task WriteEveryWayAsync(S3BlobBackend backend)
    {
        await backend.PutAsync("plain", new byte[10], Ct);
        await backend.PutIfAbsentAsync("conditional", new byte[10], Ct);
        var uploadId = await backend.BeginMultipartAsync("parted", Ct);
        var part = await backend.UploadPartAsync("parted", uploadId, 1, new byte[10], Ct);
        await backend.CompleteMultipartAsync("parted", uploadId, [part], Ct);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_storage_class_goes_on_PutObject_and_CreateMultipartUpload_and_the_objects_have_it()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        var recorder = new RequestRecorder();
        using var backend = new S3BlobBackend(Options(bucket, "STANDARD_IA"), config => config.HttpClientFactory = recorder);

        // Act
        await WriteEveryWayAsync(backend);

        // Assert
        var creating = recorder.Requests.Where(r => (r.Method == "PUT" && !r.Uri.Query.Contains("partNumber", StringComparison.Ordinal))
            || (r.Method == "POST" && r.Uri.Query.Contains("uploads", StringComparison.Ordinal))).ToList();
        Assert.Equal(3, creating.Count);
        Assert.All(creating, r => Assert.Equal("STANDARD_IA", r.Headers["x-amz-storage-class"]));
        foreach (var key in new[] { "plain", "conditional", "parted" })
        {
            var head = await moto.Client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key });
            Assert.Equal("STANDARD_IA", head.StorageClass?.Value);
        }
        Assert.Equal(10, await backend.GetLengthAsync("parted", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Without_a_storage_class_no_header_is_sent()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        var recorder = new RequestRecorder();
        using var backend = new S3BlobBackend(Options(bucket, storageClass: null), config => config.HttpClientFactory = recorder);

        // Act
        await WriteEveryWayAsync(backend);

        // Assert
        Assert.All(recorder.Requests, r => Assert.False(r.Headers.ContainsKey("x-amz-storage-class"), r.Uri.ToString()));
    }

    [Theory]
    [InlineData("GLACIER", "unreadable until restored")]
    [InlineData("deep_archive", "unreadable until restored")]
    [InlineData("GLACIER IR", "is not a storage class")]
    [InlineData("STANDARD\r\nX-Evil: 1", "is not a storage class")]
    [InlineData("GLACIER.IR", "is not a storage class")]
    public void A_storage_class_that_is_malformed_or_needs_a_restore_is_refused_at_construction(string storageClass, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => new S3BlobBackend(Options("bucket", storageClass)));

        Assert.Contains("S3BlobBackend:StorageClass", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GLACIER_IR")]
    [InlineData("ONEZONE_IA")]
    [InlineData("")]
    public void Instant_retrieval_classes_and_none_are_accepted(string storageClass)
    {
        using var backend = new S3BlobBackend(Options("bucket", storageClass));
        Assert.Equal("bucket", backend.Bucket);
    }
}
