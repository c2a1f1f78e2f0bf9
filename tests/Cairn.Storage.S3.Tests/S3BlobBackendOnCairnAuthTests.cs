
namespace Cairn.Storage.S3.Tests;

/// <summary>Credentials Cairn refuses: permanent failures, never retried into a storm.</summary>
[Collection(CairnUpstreamCollection.Name)]
public sealed class S3BlobBackendOnCairnAuthTests(CairnUpstream upstream)
{
    private const int Timeout = 30_000;

    private static CancellationToken Ct => CancellationToken.None;

    private S3BlobBackend BackendWith(string bucket, string accessKey, string secretKey) => new(new S3BlobBackendOptions
    {
        ServiceUrl = upstream.Server.Endpoint,
        Region = CairnServer.Region,
        Bucket = bucket,
        ForcePathStyle = true,
        AccessKey = accessKey,
        SecretKey = secretKey,
    });

    [Fact(Timeout = Timeout)]
    public async Task An_unknown_access_key_is_a_permanent_InvalidAccessKeyId()
    {
        // Arrange
        var bucket = await upstream.CreateBucketAsync();
        using var backend = BackendWith(bucket, "AKIDUNKNOWN000000000", CairnServer.SecretKey);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutAsync("a", new byte[1], Ct));

        // Assert
        Assert.False(ex.IsTransient);
        Assert.Contains("InvalidAccessKeyId", ex.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_wrong_secret_is_a_permanent_SignatureDoesNotMatch_on_every_kind_of_call()
    {
        // Arrange
        var bucket = await upstream.CreateBucketAsync();
        using var backend = BackendWith(bucket, CairnServer.AccessKey, "not-the-secret-key-0000000000000000000000");

        // Act
        var put = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutAsync("a", new byte[1], Ct));
        var read = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.ReadAsync("a", 0, new byte[1], Ct));
        var list = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.ListPageAsync("", null, 10, Ct));
        var head = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.GetLengthAsync("a", Ct));

        // Assert
        Assert.Contains("SignatureDoesNotMatch", put.Message);
        Assert.All(new[] { put, read, list, head }, ex => Assert.False(ex.IsTransient));
    }

    [Fact(Timeout = Timeout)]
    public async Task Through_the_retry_decorator_a_refusal_is_tried_exactly_once()
    {
        // Arrange
        var bucket = await upstream.CreateBucketAsync();
        using var s3 = BackendWith(bucket, "AKIDUNKNOWN000000000", CairnServer.SecretKey);
        var counting = new CountingBlobBackend(s3);
        var retrying = new RetryingBlobBackend(counting, new BlobRetryOptions { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        // Act
        await Assert.ThrowsAsync<BlobBackendException>(async () => await retrying.PutAsync("a", new byte[1], Ct));

        // Assert
        Assert.Equal(1, counting.Count(BlobOperation.Put));
    }
}
