using Amazon.S3;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

[Collection(ServerCollection.Name)]
public sealed class ListBucketsTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task ListBuckets_returns_every_bucket_in_name_order_with_its_creation_date()
    {
        // Arrange
        var before = DateTime.UtcNow.AddSeconds(-2);
        var created = new List<string>();
        foreach (var prefix in new[] { "lb-c", "lb-a", "lb-b" })
        {
            created.Add(await _s3.NewBucketAsync(prefix));
        }

        // Act
        var response = await _s3.ListBucketsAsync();

        // Assert
        var names = response.Buckets.Select(b => b.BucketName).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(created.Order(StringComparer.Ordinal), names.Where(created.Contains));
        Assert.All(response.Buckets.Where(b => created.Contains(b.BucketName)),
            b => Assert.InRange(b.CreationDate!.Value.ToUniversalTime(), before, DateTime.UtcNow.AddSeconds(2)));
        Assert.Matches("^[0-9a-f]{64}$", response.Owner.Id);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListBuckets_no_longer_returns_a_deleted_bucket()
    {
        // Arrange
        var kept = await _s3.NewBucketAsync();
        var deleted = await _s3.NewBucketAsync();
        await _s3.DeleteBucketAsync(deleted);

        // Act
        var names = (await _s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName).ToList();

        // Assert
        Assert.Contains(kept, names);
        Assert.DoesNotContain(deleted, names);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListBuckets_on_a_new_server_returns_no_buckets()
    {
        // Arrange
        await using var server = await CairnServer.StartAsync();

        // Act
        var response = await server.Client.ListBucketsAsync();

        // Assert
        Assert.Empty(response.Buckets ?? []);
        Assert.NotNull(response.Owner);
    }
}
