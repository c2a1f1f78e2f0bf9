using System.Text;
using Amazon.S3.Model;

namespace Cairn.Storage.S3.Tests;

/// <summary>What only the S3 backend has: the key prefix, its limits, the wire format, moto's answers to bad requests.</summary>
[Collection(MotoCollection.Name)]
public sealed class S3BlobBackendTests(MotoServer moto)
{
    private const int Timeout = 60_000;

    private static CancellationToken Ct => CancellationToken.None;

    private S3BlobBackendOptions Options(string bucket, string keyPrefix = "") => new()
    {
        ServiceUrl = moto.Endpoint,
        Region = MotoServer.Region,
        Bucket = bucket,
        KeyPrefix = keyPrefix,
        ForcePathStyle = true,
        AccessKey = MotoServer.AccessKey,
        SecretKey = MotoServer.SecretKey,
    };

    private async Task<List<string>> KeysAsync(string bucket)
    {
        var response = await moto.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (response.S3Objects ?? []).Select(o => o.Key).ToList();
    }

    [Fact(Timeout = Timeout)]
    public async Task Blobs_are_objects_named_key_prefix_plus_blob_name()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        using var backend = new S3BlobBackend(Options(bucket, "tenant-1/cairn/"));

        // Act
        await backend.PutAsync("chunks/ab/abcd.0001", new byte[] { 1, 2, 3 }, Ct);

        // Assert
        Assert.Equal(["tenant-1/cairn/chunks/ab/abcd.0001"], await KeysAsync(bucket));
        using var get = await moto.Client.GetObjectAsync(bucket, "tenant-1/cairn/chunks/ab/abcd.0001");
        Assert.Equal(3, get.ContentLength);
    }

    [Fact(Timeout = Timeout)]
    public async Task Objects_outside_the_prefix_or_with_foreign_names_are_never_listed()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        using var backend = new S3BlobBackend(Options(bucket, "cairn/"));
        await backend.PutAsync("mine", new byte[1], Ct);
        await moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "other/app", ContentBody = "x" });
        await moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "cairn/Not A Blob Name", ContentBody = "x" });
        await moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "cairnish", ContentBody = "x" });

        // Act
        var page = await backend.ListPageAsync("", null, 1000, Ct);

        // Assert
        Assert.Equal(["mine"], page.Entries.Select(e => e.Name));
        Assert.Null(page.NextStartAfter);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_foreign_key_at_the_end_of_a_full_page_still_moves_the_cursor()
    {
        // Arrange: "cairn/X" sorts before the blob names; with pages of one it fills a page by itself.
        var bucket = await moto.CreateBucketAsync();
        using var backend = new S3BlobBackend(Options(bucket, "cairn/"));
        await moto.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "cairn/X", ContentBody = "x" });
        await backend.PutAsync("a", new byte[1], Ct);
        await backend.PutAsync("b", new byte[1], Ct);

        // Act
        var names = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 10; page++)
        {
            var result = await backend.ListPageAsync("", cursor, 1, Ct);
            names.AddRange(result.Entries.Select(e => e.Name));
            cursor = result.NextStartAfter;
            if (cursor is null)
            {
                break;
            }
        }

        // Assert
        Assert.Equal(["a", "b"], names);
        Assert.Null(cursor);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_longest_prefix_with_the_longest_name_makes_a_key_of_exactly_1024_bytes()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        var prefix = new string('p', S3BlobBackend.MaxKeyPrefixBytes - 1) + "/";
        using var backend = new S3BlobBackend(Options(bucket, prefix));
        var name = string.Join('/', Enumerable.Repeat(new string('x', 127), 3)) + "/" + new string('y', 128);

        // Act
        await backend.PutAsync(name, new byte[] { 7 }, Ct);

        // Assert
        var key = Assert.Single(await KeysAsync(bucket));
        Assert.Equal(1024, Encoding.UTF8.GetByteCount(key));
        Assert.Equal(1, await backend.GetLengthAsync(name, Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Bodies_go_out_as_plain_signed_payloads_without_aws_chunked_or_checksum_trailers()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        var recorder = new RequestRecorder();
        using var backend = new S3BlobBackend(Options(bucket), config => config.HttpClientFactory = recorder);

        // Act
        await backend.PutAsync("plain", new byte[100], Ct);
        await backend.PutIfAbsentAsync("conditional", new byte[100], Ct);
        var uploadId = await backend.BeginMultipartAsync("parted", Ct);
        var part = await backend.UploadPartAsync("parted", uploadId, 1, new byte[100], Ct);
        await backend.CompleteMultipartAsync("parted", uploadId, [part], Ct);

        // Assert
        var bodies = recorder.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.Equal(3, bodies.Count);
        foreach (var request in bodies)
        {
            Assert.Matches("^[0-9a-f]{64}$", request.Headers["x-amz-content-sha256"]);
            Assert.False(request.Headers.ContainsKey("x-amz-trailer"), request.Uri.ToString());
            Assert.False(request.Headers.ContainsKey("x-amz-decoded-content-length"), request.Uri.ToString());
            Assert.DoesNotContain("aws-chunked", request.Headers.GetValueOrDefault("Content-Encoding") ?? "");
            Assert.Equal("100", request.Headers["Content-Length"]);
        }
        Assert.Equal("*", bodies[1].Headers["If-None-Match"]);
        Assert.False(bodies[0].Headers.ContainsKey("If-None-Match"));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_missing_bucket_is_a_permanent_failure_naming_NoSuchBucket()
    {
        // Arrange
        using var backend = new S3BlobBackend(Options("no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]));

        // Act
        var put = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.PutAsync("a", new byte[1], Ct));
        var list = await Assert.ThrowsAsync<BlobBackendException>(async () => await backend.ListPageAsync("", null, 10, Ct));

        // Assert
        Assert.False(put.IsTransient);
        Assert.Contains("NoSuchBucket", put.Message);
        Assert.False(list.IsTransient);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_range_read_fetches_only_the_range()
    {
        // Arrange
        var bucket = await moto.CreateBucketAsync();
        var recorder = new RequestRecorder();
        using var backend = new S3BlobBackend(Options(bucket), config => config.HttpClientFactory = recorder);
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await backend.PutAsync("ranged", data, Ct);
        var buffer = new byte[10];

        // Act
        var read = await backend.ReadAsync("ranged", 100, buffer, Ct);

        // Assert
        Assert.Equal(10, read);
        Assert.Equal(data[100..110], buffer);
        Assert.Equal("bytes=100-109", recorder.Requests.Single(r => r.Method == "GET").Headers["Range"]);
    }

    public static TheoryData<string> InvalidPrefixes =>
    [
        "/leading", "a//b", "a/./b", "a/../b", "..", "spaces here/", "üml/", "back\\slash", "tab\t",
        new string('p', S3BlobBackend.MaxKeyPrefixBytes + 1),
    ];

    [Theory]
    [MemberData(nameof(InvalidPrefixes))]
    public void Invalid_key_prefixes_are_rejected_at_construction(string prefix)
    {
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(Options("bucket", prefix)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cairn/")]
    [InlineData("cairn")]
    [InlineData("Tenant_1/blobs-(v2)/")]
    public void Valid_key_prefixes_are_accepted(string prefix)
    {
        using var backend = new S3BlobBackend(Options("bucket", prefix));
        Assert.Equal(prefix, backend.KeyPrefix);
    }

    [Fact]
    public void Other_invalid_settings_are_rejected_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(Options("")));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(Options("Upper-Case")));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(Options("ab")));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", Region = "" }));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", ServiceUrl = "ftp://host" }));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", ServiceUrl = "not a url" }));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", AccessKey = "only-the-id" }));
        Assert.Throws<ArgumentException>(() => new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", RequestTimeout = TimeSpan.Zero }));
    }

    [Fact]
    public void Without_keys_the_SDK_default_credential_chain_is_used()
    {
        // Constructing must not fail without keys: the chain is consulted only when a request is signed.
        using var backend = new S3BlobBackend(new S3BlobBackendOptions { Bucket = "bucket", ServiceUrl = moto.Endpoint, ForcePathStyle = true });
        Assert.Equal("bucket", backend.Bucket);
    }
}
