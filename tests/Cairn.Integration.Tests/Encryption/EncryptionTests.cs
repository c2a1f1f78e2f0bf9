using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.BadInput;

namespace Cairn.Integration.Tests.Encryption;

/// <summary>
/// Encryption at rest (issue 14) with the AWS SDK on a server of its own: SSE-S3 and SSE-C round trips
/// (inline and chunked bodies, ranges across frames and chunks), S3's refusals (no key, a wrong key,
/// a key for an object that has none, a malformed key) with nothing stored, and the bytes on disk:
/// an encrypted body's plaintext is nowhere in the data directory (blobs, packs, catalog), while a
/// body stored as sent is found there, so the scan itself is shown to work.
/// </summary>
[Trait("Issue", "14")]
public sealed class EncryptionTests : IAsyncLifetime
{
    private static readonly byte[] CustomerKey = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] OtherKey = RandomNumberGenerator.GetBytes(32);

    private CairnServer _server = null!;

    public async Task InitializeAsync() => _server = await CairnServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IAmazonS3 S3 => _server.Client;

    /// <summary>Random (incompressible) bytes with <paramref name="marker"/> written at a few places, so it shows in any plaintext copy.</summary>
    private static byte[] Body(int length, string marker)
    {
        var body = RandomNumberGenerator.GetBytes(length);
        var bytes = Encoding.ASCII.GetBytes(marker);
        foreach (var at in new[] { 0, length / 2, length - bytes.Length })
        {
            bytes.CopyTo(body, at);
        }
        return body;
    }

    private static string Base64(byte[] key) => Convert.ToBase64String(key);

    private static string Md5(byte[] key) => Convert.ToBase64String(MD5.HashData(key));

    private async Task<string> NewBucketAsync(string prefix)
    {
        var bucket = CairnServer.NewBucketName(prefix);
        await S3.PutBucketAsync(bucket);
        return bucket;
    }

    private static async Task<byte[]> ReadAllAsync(GetObjectResponse response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private async Task<(GetObjectResponse Response, byte[] Bytes)> GetAsync(string bucket, string key, byte[]? customerKey = null, ByteRange? range = null)
    {
        var request = new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = range };
        if (customerKey is not null)
        {
            request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            request.ServerSideEncryptionCustomerProvidedKey = Base64(customerKey);
            request.ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(customerKey);
        }
        var response = await S3.GetObjectAsync(request);
        return (response, await ReadAllAsync(response));
    }

    /// <summary>Whether <paramref name="marker"/> appears in any file under the server's data directory.</summary>
    private bool DataDirectoryHolds(string marker)
    {
        var needle = Encoding.ASCII.GetBytes(marker);
        foreach (var path in Directory.EnumerateFiles(_server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            try
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                bytes = new byte[file.Length];
                file.ReadExactly(bytes);
            }
            catch (IOException)
            {
                continue; // removed while listed (a temp file)
            }
            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    // Sizes: inline (in the catalog row), one chunk of several frames, and several chunks (4 MiB each).
    [Theory(Timeout = 120_000)]
    [InlineData(3_000)]
    [InlineData(300_000)]
    [InlineData(9_500_000)]
    public async Task An_SSE_S3_object_reads_back_whole_and_in_ranges_and_its_plaintext_is_not_on_disk(int size)
    {
        var bucket = await NewBucketAsync("sses3");
        var marker = $"SSE-S3-PLAINTEXT-{Guid.NewGuid():N}";
        var body = Body(size, marker);

        var put = await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "secret.bin",
            InputStream = new MemoryStream(body),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });

        Assert.Equal(ServerSideEncryptionMethod.AES256, put.ServerSideEncryptionMethod);
        var (whole, bytes) = await GetAsync(bucket, "secret.bin");
        Assert.Equal(body, bytes);
        Assert.Equal(ServerSideEncryptionMethod.AES256, whole.ServerSideEncryptionMethod);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"", whole.ETag); // SSE-S3 keeps the MD5 ETag, as on S3
        foreach (var (from, to) in new (long, long)[] { (0, 0), (65_530, 65_545), (size / 3, size / 3 + 200_000), (size - 10, size - 1), (4_194_300, 4_194_310) })
        {
            if (to >= size)
            {
                continue;
            }
            var (_, range) = await GetAsync(bucket, "secret.bin", range: new ByteRange(from, to));
            Assert.Equal(body[(int)from..(int)(to + 1)], range);
        }
        var head = await S3.GetObjectMetadataAsync(bucket, "secret.bin");
        Assert.Equal((ServerSideEncryptionMethod.AES256, (long)size), (head.ServerSideEncryptionMethod, head.ContentLength));
        Assert.False(DataDirectoryHolds(marker), "the plaintext of an SSE-S3 object is in the data directory");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_body_stored_as_sent_is_found_on_disk_so_the_scan_sees_plaintext()
    {
        var bucket = await NewBucketAsync("plain");
        var marker = $"PLAIN-{Guid.NewGuid():N}";
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain.bin", InputStream = new MemoryStream(Body(300_000, marker)) });

        Assert.True(DataDirectoryHolds(marker));
    }

    [Theory(Timeout = 120_000)]
    [InlineData(3_000)]
    [InlineData(5_000_000)]
    public async Task An_SSE_C_object_needs_its_key_and_a_wrong_one_is_refused(int size)
    {
        var bucket = await NewBucketAsync("ssec");
        var marker = $"SSE-C-PLAINTEXT-{Guid.NewGuid():N}";
        var body = Body(size, marker);

        var put = await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "mine.bin",
            InputStream = new MemoryStream(body),
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Base64(CustomerKey),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(CustomerKey),
        });

        Assert.Equal((ServerSideEncryptionCustomerMethod.AES256, Md5(CustomerKey)), (put.ServerSideEncryptionCustomerMethod, put.ServerSideEncryptionCustomerProvidedKeyMD5));
        var (got, bytes) = await GetAsync(bucket, "mine.bin", CustomerKey);
        Assert.Equal(body, bytes);
        Assert.Equal(Md5(CustomerKey), got.ServerSideEncryptionCustomerProvidedKeyMD5);
        // S3's ETag of an SSE-C object is not the plaintext's MD5 (it would show equal bodies across keys).
        Assert.NotEqual($"\"{Convert.ToHexStringLower(MD5.HashData(body))}\"", got.ETag);
        var (_, range) = await GetAsync(bucket, "mine.bin", CustomerKey, new ByteRange(size / 2, size / 2 + 99));
        Assert.Equal(body[(size / 2)..(size / 2 + 100)], range);

        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => GetAsync(bucket, "mine.bin"));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (missing.StatusCode, missing.ErrorCode));
        var wrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => GetAsync(bucket, "mine.bin", OtherKey));
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (wrong.StatusCode, wrong.ErrorCode));
        var headWrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.GetObjectMetadataAsync(new GetObjectMetadataRequest
        {
            BucketName = bucket,
            Key = "mine.bin",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Base64(OtherKey),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(OtherKey),
        }));
        Assert.Equal(HttpStatusCode.Forbidden, headWrong.StatusCode);
        Assert.False(DataDirectoryHolds(marker), "the plaintext of an SSE-C object is in the data directory");
    }

    [Fact(Timeout = 60_000)]
    public async Task Bad_encryption_headers_get_S3s_errors_and_store_nothing()
    {
        var bucket = await NewBucketAsync("ssebad");
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain.txt", ContentBody = "plain" });

        // A customer key for an object stored without one.
        var notApplicable = await Assert.ThrowsAsync<AmazonS3Exception>(() => GetAsync(bucket, "plain.txt", CustomerKey));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (notApplicable.StatusCode, notApplicable.ErrorCode));

        var badMd5 = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "x.txt",
            ContentBody = "x",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Base64(CustomerKey),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(OtherKey),
        }));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidArgument"), (badMd5.StatusCode, badMd5.ErrorCode));
        var shortKey = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "x.txt",
            ContentBody = "x",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Base64(new byte[16]),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(new byte[16]),
        }));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidArgument"), (shortKey.StatusCode, shortKey.ErrorCode));
        var kms = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "x.txt",
            ContentBody = "x",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
        }));
        Assert.Equal((HttpStatusCode.NotImplemented, "NotImplemented"), (kms.StatusCode, kms.ErrorCode));

        var keys = (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal(["plain.txt"], keys);
    }

    private static void WithCustomerKey(PutObjectRequest request, byte[] key)
    {
        request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
        request.ServerSideEncryptionCustomerProvidedKey = Base64(key);
        request.ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(key);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_multipart_upload_is_encrypted_part_by_part_and_reads_back_across_parts(bool customerKey)
    {
        var bucket = await NewBucketAsync("ssemp");
        var marker = $"SSE-MP-PLAINTEXT-{Guid.NewGuid():N}";
        var parts = new[] { Body(5 * 1024 * 1024, marker), Body(5 * 1024 * 1024 + 77, marker), Body(1_000, marker) };
        var create = new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp.bin" };
        if (customerKey)
        {
            create.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            create.ServerSideEncryptionCustomerProvidedKey = Base64(CustomerKey);
            create.ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(CustomerKey);
        }
        else
        {
            create.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
        }
        var upload = await S3.InitiateMultipartUploadAsync(create);
        var etags = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = new UploadPartRequest { BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]) };
            if (customerKey)
            {
                part.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                part.ServerSideEncryptionCustomerProvidedKey = Base64(CustomerKey);
                part.ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(CustomerKey);
            }
            etags.Add(new PartETag(i + 1, (await S3.UploadPartAsync(part)).ETag));
        }
        if (customerKey)
        {
            // A part sent with another key is refused: every part is under the upload's key.
            var wrong = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket,
                Key = "mp.bin",
                UploadId = upload.UploadId,
                PartNumber = 9,
                InputStream = new MemoryStream(parts[2]),
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = Base64(OtherKey),
                ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(OtherKey),
            }));
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }
        await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "mp.bin", UploadId = upload.UploadId, PartETags = etags });

        var whole = parts.SelectMany(static part => part).ToArray();
        var key = customerKey ? CustomerKey : null;
        var (response, bytes) = await GetAsync(bucket, "mp.bin", key);
        Assert.Equal(whole, bytes);
        Assert.Equal(customerKey ? null : ServerSideEncryptionMethod.AES256, response.ServerSideEncryptionMethod == ServerSideEncryptionMethod.None ? null : response.ServerSideEncryptionMethod);
        var across = 5 * 1024 * 1024 - 100;
        var (_, range) = await GetAsync(bucket, "mp.bin", key, new ByteRange(across, across + 5_000));
        Assert.Equal(whole[across..(across + 5_001)], range);
        Assert.False(DataDirectoryHolds(marker), "the plaintext of an encrypted multipart object is in the data directory");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_copy_changes_keys_and_encryption_and_each_copy_reads_back()
    {
        var bucket = await NewBucketAsync("ssecopy");
        var marker = $"SSE-COPY-PLAINTEXT-{Guid.NewGuid():N}";
        var body = Body(700_000, marker);
        var put = new PutObjectRequest { BucketName = bucket, Key = "c1.bin", InputStream = new MemoryStream(body) };
        WithCustomerKey(put, CustomerKey);
        await S3.PutObjectAsync(put);

        // SSE-C under one key to SSE-C under another: the source's key is needed, and the copy opens only with the new one.
        var rekeyed = await S3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "c1.bin",
            DestinationBucket = bucket,
            DestinationKey = "c2.bin",
            CopySourceServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            CopySourceServerSideEncryptionCustomerProvidedKey = Base64(CustomerKey),
            CopySourceServerSideEncryptionCustomerProvidedKeyMD5 = Md5(CustomerKey),
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = Base64(OtherKey),
            ServerSideEncryptionCustomerProvidedKeyMD5 = Md5(OtherKey),
        });
        Assert.Equal(HttpStatusCode.OK, rekeyed.HttpStatusCode);
        Assert.Equal(body, (await GetAsync(bucket, "c2.bin", OtherKey)).Bytes);
        var oldKey = await Assert.ThrowsAsync<AmazonS3Exception>(() => GetAsync(bucket, "c2.bin", CustomerKey));
        Assert.Equal(HttpStatusCode.Forbidden, oldKey.StatusCode);

        // Without the source's key the copy is refused and nothing is made.
        var noSourceKey = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "c1.bin",
            DestinationBucket = bucket,
            DestinationKey = "c3.bin",
        }));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (noSourceKey.StatusCode, noSourceKey.ErrorCode));

        // SSE-C to SSE-S3, then SSE-S3 to stored as sent (the plaintext copy is on disk; the others are not).
        await S3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "c2.bin",
            DestinationBucket = bucket,
            DestinationKey = "s3.bin",
            CopySourceServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            CopySourceServerSideEncryptionCustomerProvidedKey = Base64(OtherKey),
            CopySourceServerSideEncryptionCustomerProvidedKeyMD5 = Md5(OtherKey),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });
        var (sses3, sses3Bytes) = await GetAsync(bucket, "s3.bin");
        Assert.Equal(body, sses3Bytes);
        Assert.Equal(ServerSideEncryptionMethod.AES256, sses3.ServerSideEncryptionMethod);
        Assert.False(DataDirectoryHolds(marker), "an encrypted copy's plaintext is in the data directory");
        await S3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "s3.bin", DestinationBucket = bucket, DestinationKey = "plain.bin" });
        Assert.Equal(body, (await GetAsync(bucket, "plain.bin")).Bytes);
        Assert.True(DataDirectoryHolds(marker));
        var keys = (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal(["c1.bin", "c2.bin", "plain.bin", "s3.bin"], keys);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_buckets_default_encryption_applies_to_writes_that_name_none()
    {
        var bucket = await NewBucketAsync("ssedefault");
        // The SDK hands the 404 over as an empty configuration, so the wire answer is checked as sent.
        using (var wire = new WireClient(_server.Endpoint))
        {
            var request = wire.Request("GET", WireSigner.PathOf(bucket), "encryption=");
            request.Headers["host"] = wire.Host;
            new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region).SignHeaders(request, DateTimeOffset.UtcNow, WireSigner.Sha256Hex([]));
            S3ErrorAssert.Error(await wire.SendAsync(request), 404, "ServerSideEncryptionConfigurationNotFoundError");
        }

        await S3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }],
            },
        });
        var rule = Assert.Single((await S3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules);
        Assert.Equal(ServerSideEncryptionMethod.AES256, rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        var marker = $"SSE-DEFAULT-PLAINTEXT-{Guid.NewGuid():N}";
        var body = Body(200_000, marker);
        var put = await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "d.bin", InputStream = new MemoryStream(body) });
        Assert.Equal(ServerSideEncryptionMethod.AES256, put.ServerSideEncryptionMethod);
        Assert.Equal(body, (await GetAsync(bucket, "d.bin")).Bytes);
        Assert.False(DataDirectoryHolds(marker));

        var kms = await Assert.ThrowsAsync<AmazonS3Exception>(() => S3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS } }],
            },
        }));
        Assert.Equal(HttpStatusCode.NotImplemented, kms.StatusCode);
        Assert.Equal(ServerSideEncryptionMethod.AES256, Assert.Single((await S3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket }))
            .ServerSideEncryptionConfiguration.ServerSideEncryptionRules).ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);

        await S3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = bucket });
        var plain = await S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "p.bin", ContentBody = "p" });
        Assert.NotEqual(ServerSideEncryptionMethod.AES256, plain.ServerSideEncryptionMethod);
        Assert.Equal(body, (await GetAsync(bucket, "d.bin")).Bytes);
    }

    [Fact(Timeout = 120_000)]
    public async Task After_the_key_file_is_rotated_and_the_server_restarted_old_and_new_objects_read_back()
    {
        var bucket = await NewBucketAsync("sserotate");
        var before = Body(300_000, "BEFORE-ROTATION");
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "before.bin",
            InputStream = new MemoryStream(before),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });
        var keyFile = Path.Combine(_server.DataDirectory, "server-keys.json");
        await _server.StopKeepingDataAsync();

        var rotated = await Cli.CliRun.StartAsync(handler: null, ["server-key", "rotate", "--key-file", keyFile]);
        Assert.True(rotated.ExitCode == Cairn.Server.Cli.CairnCli.ExitSuccess, rotated.Stderr);
        var lines = rotated.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("\tcurrent", lines[1], StringComparison.Ordinal);
        _server = await CairnServer.StartAsync(dataDirectory: _server.DataDirectory);

        Assert.Equal(before, (await GetAsync(bucket, "before.bin")).Bytes);
        var after = Body(300_000, "AFTER-ROTATION");
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "after.bin",
            InputStream = new MemoryStream(after),
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });
        Assert.Equal(after, (await GetAsync(bucket, "after.bin")).Bytes);
        var list = await Cli.CliRun.StartAsync(handler: null, ["server-key", "list", "--key-file", keyFile]);
        Assert.Equal(rotated.Stdout, list.Stdout);
    }
}
