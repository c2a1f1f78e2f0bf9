using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// ListObjectVersions and GetBucketVersioning on buckets that never had versioning enabled: every
/// key is listed once, as its null version, the latest (what tools that empty or sync a bucket ask
/// for before they delete: terraform's force_destroy, boto3's object_versions, rclone purge).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ListObjectVersionsTests(ServerFixture fixture)
{
    private readonly AmazonS3Client _s3 = fixture.Server.Client;

    [Fact(Timeout = 30_000)]
    public async Task Each_key_is_listed_as_its_null_version_the_latest_with_size_ETag_and_owner()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        var body = new byte[10];
        await _s3.PutBytesAsync(bucket, "b", body);
        await _s3.PutBytesAsync(bucket, "a", body);
        await _s3.PutBytesAsync(bucket, "a", [1, 2, 3]);

        // Act
        var response = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });

        // Assert
        Assert.Equal(["a", "b"], response.Versions.Select(static v => v.Key));
        // The SDK leaves IsDeleteMarker unset on Version elements; it is set on DeleteMarker ones.
        Assert.All(response.Versions, static v => Assert.Equal(("null", true, false), (v.VersionId, v.IsLatest!.Value, v.IsDeleteMarker == true)));
        Assert.Equal((3L, ActionTestExtensions.QuotedMd5([1, 2, 3])), (response.Versions[0].Size!.Value, response.Versions[0].ETag));
        Assert.Equal((10L, ActionTestExtensions.QuotedMd5(body)), (response.Versions[1].Size!.Value, response.Versions[1].ETag));
        Assert.All(response.Versions, static v => Assert.Matches("^[0-9a-f]{64}$", v.Owner.Id));
        Assert.False(response.IsTruncated);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_prefix_and_a_delimiter_list_one_level()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a/1", "a/2", "a/b/3", "b/1", "top"]);

        // Act
        var root = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Delimiter = "/" });
        var nested = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = "a/", Delimiter = "/" });

        // Assert
        Assert.Equal(["top"], root.Versions.Select(static v => v.Key));
        Assert.Equal(["a/", "b/"], root.CommonPrefixes);
        Assert.Equal(["a/1", "a/2"], nested.Versions.Select(static v => v.Key));
        Assert.Equal(["a/b/"], nested.CommonPrefixes);
    }

    [Fact(Timeout = 60_000)]
    public async Task Pages_resume_at_NextKeyMarker_and_NextVersionIdMarker_and_list_every_key_once()
    {
        // Arrange: keys and common prefixes alternate, so pages end on a common prefix (no version id marker).
        var bucket = await _s3.NewBucketAsync();
        string[] keys = ["a", "d/1", "d/2", "k0", "m/x", "z"];
        await _s3.PutEmptyObjectsAsync(bucket, keys);

        // Act
        var seen = new List<string>();
        var pages = 0;
        var request = new ListVersionsRequest { BucketName = bucket, MaxKeys = 2, Delimiter = "/" };
        while (true)
        {
            var page = await _s3.ListVersionsAsync(request);
            pages++;
            seen.AddRange((page.Versions ?? []).Select(static v => v.Key));
            seen.AddRange(page.CommonPrefixes ?? []);
            if (page.IsTruncated != true)
            {
                break;
            }
            Assert.False(string.IsNullOrEmpty(page.NextKeyMarker));
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }

        // Assert: [a, d/], [k0, m/], [z].
        Assert.Equal(["a", "d/", "k0", "m/", "z"], seen);
        Assert.Equal(3, pages);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_key_marker_alone_starts_after_that_key_and_with_version_id_marker_null_too()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a", "b", "c"]);

        // Act
        var afterKey = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, KeyMarker = "a" });
        var afterVersion = await _s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, KeyMarker = "b", VersionIdMarker = "null" });

        // Assert
        Assert.Equal(["b", "c"], afterKey.Versions.Select(static v => v.Key));
        Assert.Equal(["c"], afterVersion.Versions.Select(static v => v.Key));
    }

    [Fact(Timeout = 30_000)]
    public async Task Encoding_type_url_encodes_keys_and_markers()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["d/é+c", "e"]);

        // Act: the SDK decodes for us, so the answer is read off the wire.
        var response = await SendSignedAsync("GET", bucket, "versions&encoding-type=url&max-keys=1");

        // Assert
        Assert.Equal(200, response.Status);
        Assert.Contains("<Key>d/%C3%A9%2Bc</Key>", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("<NextKeyMarker>d/%C3%A9%2Bc</NextKeyMarker>", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("<NextVersionIdMarker>null</NextVersionIdMarker>", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("<EncodingType>url</EncodingType>", response.BodyText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetBucketVersioning_of_a_bucket_that_never_had_versioning_has_no_status()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();

        // Act
        var response = await _s3.GetBucketVersioningAsync(bucket);

        // Assert: the SDK reads the missing Status element as Off.
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        Assert.Equal(VersionStatus.Off, response.VersioningConfig.Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task Missing_bucket_answers_NoSuchBucket_for_both()
    {
        // Arrange
        var bucket = "missing-" + Guid.NewGuid().ToString("N")[..12];

        // Act and assert
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.ListVersionsAsync(bucket), HttpStatusCode.NotFound, "NoSuchBucket");
        await ActionTestExtensions.AssertS3ErrorAsync(() => _s3.GetBucketVersioningAsync(bucket), HttpStatusCode.NotFound, "NoSuchBucket");
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "a version-id-marker without a key-marker", "versions&version-id-marker=null" },
        { "a version id that does not exist here", "versions&key-marker=a&version-id-marker=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" },
        { "an unknown encoding type", "versions&encoding-type=base64" },
        { "max-keys that is not a number", "versions&max-keys=ten" },
        { "negative max-keys", "versions&max-keys=-1" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_parameters_answer_400_InvalidArgument(string name, string query)
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync();
        await _s3.PutEmptyObjectsAsync(bucket, ["a"]);

        // Act
        var response = await SendSignedAsync("GET", bucket, query);

        // Assert
        Assert.True(response.Status == 400, $"{name}: {response}");
        S3ErrorAssert.Error(response, 400, "InvalidArgument");
    }

    /// <summary>Sends a request signed in the header form, with an empty body, and reads the answer as sent.</summary>
    private async Task<WireResponse> SendSignedAsync(string method, string bucket, string query)
    {
        using var wire = new WireClient(fixture.Server.Endpoint);
        var request = wire.Request(method, WireSigner.PathOf(bucket), query);
        new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region)
            .SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
        return await wire.SendAsync(request);
    }
}
