using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Core;
using Cairn.Integration.Tests.BadInput;
using Cairn.Integration.Tests.Infrastructure;
using Cairn.Mst;

namespace Cairn.Integration.Tests.Admin;

/// <summary>
/// Import over the admin API and real HTTP (issue 11): an export brought into another bucket gives
/// the same versions, bytes, metadata, tags and tree root; a prefix is replaced wholesale (readers
/// listing it meanwhile see the old set or the new one, never a mix); bad archives and refused
/// imports change nothing.
/// </summary>
[Collection(ServerCollection.Name)]
[Trait("Issue", "11")]
public sealed class BucketImportAdminTests(ServerFixture fixture)
{
    private readonly WireSigner _signer = new(CairnServer.AccessKey, CairnServer.SecretKey, CairnServer.Region);

    private IAmazonS3 S3 => fixture.Server.Client;

    private Task<WireResponse> CallAsync(string method, string bucket, string action, string query = "", byte[]? body = null,
        string? payloadHash = null) =>
        AdminWire.SendAsync(fixture.Server.Endpoint, _signer, method, bucket, action, query, body, payloadHash);

    private async Task<byte[]> ExportAsync(string bucket)
    {
        var response = await CallAsync("GET", bucket, "export");
        Assert.True(response.Status == 200, response.ToString());
        return response.Body;
    }

    private Task<WireResponse> ImportAsync(string bucket, byte[] car, string prefix = "", bool replace = false) =>
        CallAsync("POST", bucket, "import", "prefix=" + WireSigner.UriEncode(prefix, keepSlash: false) + (replace ? "&replace=true" : ""), car);

    private static JsonElement Json(WireResponse response) => AdminWire.Json(response);

    private static void AssertError(WireResponse response, int status, string code) => AdminWire.AssertError(response, status, code);

    /// <summary>The bucket's tree after folding its journal up to now: (journal number, root).</summary>
    private async Task<(long Seq, string Root)> TreeAsync(string bucket)
    {
        var response = await CallAsync("GET", bucket, "tree", "flush=true");
        Assert.True(response.Status == 200, response.ToString());
        var head = Json(response);
        return (head.GetProperty("seq").GetInt64(), head.GetProperty("root").GetString()!);
    }

    private async Task<string> NewBucketAsync(string prefix, bool versioned)
    {
        var bucket = CairnServer.NewBucketName(prefix);
        await S3.PutBucketAsync(bucket);
        if (versioned)
        {
            await S3.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            });
        }
        return bucket;
    }

    private Task PutAsync(string bucket, string key, string body) =>
        S3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = body });

    /// <summary>Every version of the bucket as one line each: key, id, latest, marker, ETag, size, time.</summary>
    private async Task<List<string>> VersionsAsync(string bucket)
    {
        var lines = new List<string>();
        var request = new ListVersionsRequest { BucketName = bucket };
        while (true)
        {
            var page = await S3.ListVersionsAsync(request);
            lines.AddRange((page.Versions ?? []).Select(static v => string.Join('|', v.Key, v.VersionId, v.IsLatest, v.IsDeleteMarker, v.ETag, v.Size,
                v.LastModified?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))));
            if (page.IsTruncated != true)
            {
                return lines;
            }
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    private async Task<List<string>> KeysAsync(string bucket, string prefix = "")
    {
        var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 });
        Assert.NotEqual(true, page.IsTruncated);
        return (page.S3Objects ?? []).Select(static o => o.Key).ToList();
    }

    private async Task<byte[]> ReadAsync(string bucket, string key, string? versionId = null)
    {
        using var response = await S3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, VersionId = versionId });
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [Fact(Timeout = 120_000)]
    [Trait("Issue", "14")]
    public async Task Encrypted_objects_fold_into_the_tree_and_an_export_imported_on_the_same_server_reads_back()
    {
        // Arrange: SSE-S3 bodies inline and chunked, an SSE-C one, next to one stored as sent.
        var source = await NewBucketAsync("imp-enc", versioned: false);
        var big = new byte[5 * 1024 * 1024 + 3];
        Random.Shared.NextBytes(big);
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "big", InputStream = new MemoryStream(big), ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "small", ContentBody = "sealed", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        var customerKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var keyText = Convert.ToBase64String(customerKey);
        var keyMd5 = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(customerKey));
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = source,
            Key = "customer",
            ContentBody = "the customer's",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = keyText,
            ServerSideEncryptionCustomerProvidedKeyMD5 = keyMd5,
        });
        await PutAsync(source, "plain", "as sent");
        var target = await NewBucketAsync("imp-enc-dst", versioned: false);

        // Act
        var car = await ExportAsync(source);
        var response = await ImportAsync(target, car);

        // Assert: the tree folded (manifests of format 2 for the encrypted ones), and the copies read back.
        Assert.True(response.Status == 200, response.ToString());
        Assert.Equal((await TreeAsync(source)).Root, (await TreeAsync(target)).Root);
        Assert.Equal(big, await ReadAsync(target, "big"));
        Assert.Equal("sealed"u8.ToArray(), await ReadAsync(target, "small"));
        Assert.Equal("as sent"u8.ToArray(), await ReadAsync(target, "plain"));
        Assert.Equal(ServerSideEncryptionMethod.AES256, (await S3.GetObjectMetadataAsync(target, "big")).ServerSideEncryptionMethod);
        using var customer = await S3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = target,
            Key = "customer",
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = keyText,
            ServerSideEncryptionCustomerProvidedKeyMD5 = keyMd5,
        });
        using var reader = new StreamReader(customer.ResponseStream);
        Assert.Equal("the customer's", await reader.ReadToEndAsync());
        Assert.True(car.AsSpan().IndexOf("sealed"u8) < 0 && car.AsSpan().IndexOf(big.AsSpan(1000, 64)) < 0, "an export carries encrypted bodies as plaintext");
    }

    [Fact(Timeout = 120_000)]
    public async Task An_export_imported_into_an_empty_bucket_has_the_same_versions_bytes_metadata_tags_and_root()
    {
        // Arrange: versions, inline, multi-chunk, multipart, empty, non-ASCII keys, metadata, tags, a delete marker.
        var source = await NewBucketAsync("imp-src", versioned: true);
        await PutAsync(source, "inline", "first");
        await PutAsync(source, "inline", "second");
        var big = new byte[9 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(big);
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = source, Key = "big", InputStream = new MemoryStream(big) });
        await PutAsync(source, "empty", "");
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = source,
            Key = "ключ/é",
            ContentBody = "non-ASCII",
            ContentType = "text/plain; charset=utf-8",
            Metadata = { ["colour"] = "blue" },
            TagSet = [new Tag { Key = "team", Value = "storage" }],
        });
        var upload = await S3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = source, Key = "multipart" });
        var parts = new List<PartETag>();
        for (var number = 1; number <= 2; number++)
        {
            var part = await S3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = source,
                Key = "multipart",
                UploadId = upload.UploadId,
                PartNumber = number,
                InputStream = new MemoryStream(new byte[number == 1 ? 5 * 1024 * 1024 : 1000]),
            });
            parts.Add(new PartETag(number, part.ETag));
        }
        await S3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = source,
            Key = "multipart",
            UploadId = upload.UploadId,
            PartETags = parts,
        });
        await PutAsync(source, "gone", "soon deleted");
        await S3.DeleteObjectAsync(source, "gone");
        var target = await NewBucketAsync("imp-dst", versioned: true);
        var car = await ExportAsync(source);

        // Act
        var response = await ImportAsync(target, car);

        // Assert
        Assert.True(response.Status == 200, response.ToString());
        var result = Json(response);
        Assert.Equal(6, result.GetProperty("keysImported").GetInt32());
        Assert.Equal(8, result.GetProperty("versionsImported").GetInt32());
        Assert.Equal(0, result.GetProperty("keysRemoved").GetInt32());
        Assert.False(result.GetProperty("emptySource").GetBoolean());
        Assert.Equal(source, result.GetProperty("sourceBucket").GetString());
        var sourceVersions = await VersionsAsync(source);
        Assert.Equal(sourceVersions, await VersionsAsync(target));
        foreach (var line in sourceVersions.Where(static line => line.Split('|')[3] == "False"))
        {
            var fields = line.Split('|');
            Assert.Equal(await ReadAsync(source, fields[0], fields[1]), await ReadAsync(target, fields[0], fields[1]));
        }
        var head = await S3.GetObjectMetadataAsync(target, "ключ/é");
        Assert.Equal("blue", head.Metadata["colour"]);
        Assert.Equal("text/plain; charset=utf-8", head.Headers.ContentType);
        var tags = await S3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = target, Key = "ключ/é" });
        Assert.Equal("team=storage", string.Join(',', tags.Tagging.Select(static t => t.Key + "=" + t.Value)));
        var multipart = await S3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = target, Key = "multipart", PartNumber = 2 });
        Assert.Equal(2, multipart.PartsCount);
        Assert.Equal((await TreeAsync(source)).Root, (await TreeAsync(target)).Root);
    }

    [Fact(Timeout = 60_000)]
    public async Task Replace_with_a_range_export_swaps_the_prefix_keeps_other_prefixes_and_an_empty_archive_empties_it()
    {
        // Arrange: the target holds p/ keys (one with an older version) and q/ keys; the archive holds other p/ keys and a q/ key.
        var target = await NewBucketAsync("imp-rep", versioned: true);
        await PutAsync(target, "p/old", "1");
        await PutAsync(target, "p/old", "2");
        await PutAsync(target, "p/kept-name", "target's");
        await PutAsync(target, "p", "the prefix without slash");
        await PutAsync(target, "q/other", "untouched");
        var source = await NewBucketAsync("imp-rep-src", versioned: false);
        await PutAsync(source, "p/kept-name", "source's");
        await PutAsync(source, "p/new", "new");
        await PutAsync(source, "q/ignored", "outside the prefix");
        var range = await CallAsync("GET", source, "export", "prefix=p%2F"); // a range proof: the p/ keys only
        Assert.True(range.Status == 200, range.ToString());
        var car = range.Body;
        var empty = await ExportAsync(await NewBucketAsync("imp-empty", versioned: false));

        // Act
        var replaced = await ImportAsync(target, car, "p/", replace: true);
        var afterReplace = await KeysAsync(target);
        var keptBody = Encoding.UTF8.GetString(await ReadAsync(target, "p/kept-name"));
        var emptied = await ImportAsync(target, empty, "p/", replace: true);
        var afterEmpty = await KeysAsync(target);

        // Assert
        Assert.True(replaced.Status == 200, replaced.ToString());
        Assert.Equal(2, Json(replaced).GetProperty("keysImported").GetInt32());
        Assert.Equal(2, Json(replaced).GetProperty("keysRemoved").GetInt32());
        Assert.Equal(["p", "p/kept-name", "p/new", "q/other"], afterReplace);
        Assert.Equal("source's", keptBody);
        Assert.DoesNotContain(await VersionsAsync(target), static line => line.StartsWith("p/old|", StringComparison.Ordinal));
        Assert.True(emptied.Status == 200, emptied.ToString());
        Assert.True(Json(emptied).GetProperty("emptySource").GetBoolean());
        Assert.Equal(2, Json(emptied).GetProperty("keysRemoved").GetInt32());
        Assert.Equal(["p", "q/other"], afterEmpty);
        Assert.Equal("untouched", Encoding.UTF8.GetString(await ReadAsync(target, "q/other")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Readers_listing_the_prefix_during_replaces_see_the_old_set_or_the_new_one_never_a_mix()
    {
        // Arrange: two archives of disjoint key sets under the same prefix, the target starting with the first.
        var setA = Enumerable.Range(0, 150).Select(static i => $"p/a{i:D3}").ToList();
        var setB = Enumerable.Range(0, 120).Select(static i => $"p/b{i:D3}").ToList();
        var archives = new List<byte[]>();
        foreach (var keys in new[] { setA, setB })
        {
            var source = await NewBucketAsync("imp-mix-src", versioned: false);
            await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) => await PutAsync(source, key, key));
            archives.Add(await ExportAsync(source));
        }
        var target = await NewBucketAsync("imp-mix", versioned: false);
        await PutAsync(target, "other/stays", "x");
        Assert.Equal(200, (await ImportAsync(target, archives[0], "p/", replace: true)).Status);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<List<string>>();
        var mixes = new List<string>();

        // Act: readers list the prefix (one page) while the prefix is replaced back and forth, a bounded number of times.
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var keys = await KeysAsync(target, "p/");
                if (!keys.SequenceEqual(setA) && !keys.SequenceEqual(setB))
                {
                    lock (mixes)
                    {
                        mixes.Add($"{keys.Count} keys: {keys.FirstOrDefault()} .. {keys.LastOrDefault()}");
                    }
                }
                lock (seen)
                {
                    seen.Add(keys);
                }
            }
        })).ToList();
        var statuses = new List<int>();
        for (var round = 1; round <= 8; round++)
        {
            statuses.Add((await ImportAsync(target, archives[round % 2], "p/", replace: true)).Status);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        // Assert
        Assert.All(statuses, static status => Assert.Equal(200, status));
        Assert.Empty(mixes);
        Assert.Contains(seen, keys => keys.SequenceEqual(setB));
        Assert.Equal(setA, await KeysAsync(target, "p/"));
        Assert.Equal(["other/stays"], await KeysAsync(target, "other/"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Bad_archives_are_refused_and_nothing_changes()
    {
        // Arrange: a target with content and a folded tree; a sound archive and broken variants of it.
        var target = await NewBucketAsync("imp-bad", versioned: true);
        await PutAsync(target, "p/x", "kept");
        var source = await NewBucketAsync("imp-bad-src", versioned: false);
        await PutAsync(source, "p/y", "would be imported");
        await PutAsync(source, "p/z", "would be imported too");
        var good = await ExportAsync(source);
        var (blocks, commitCid) = await ReadCarAsync(good);
        var commit = BucketCommit.Decode(blocks.Single(b => b.Cid == commitCid).Data);
        var manifestCid = blocks.First(b => b.Cid.Codec == Cid.DagCborCodec && b.Cid != commitCid && b.Cid != commit.Data).Cid;
        var wrongRootCommit = (commit with { Data = manifestCid }).Encode();
        var garbage = new byte[] { 0xa1, 0x61, 0x78, 0xff };
        var variants = new Dictionary<string, byte[]>
        {
            ["truncated"] = good[..(good.Length - 10)],
            ["a block whose bytes do not match its CID"] = FlipLastByte(good),
            ["a commit whose root is not the tree"] = await WriteCarAsync(Cid.ForDagCbor(wrongRootCommit),
                [.. blocks.Where(b => b.Cid != commitCid), new CarBlock(Cid.ForDagCbor(wrongRootCommit), wrongRootCommit)]),
            ["a corrupt block as the root"] = await WriteCarAsync(Cid.ForDagCbor(garbage), [new CarBlock(Cid.ForDagCbor(garbage), garbage), .. blocks]),
            ["a CID naming another block's bytes"] = await WriteCarAsync(commitCid,
                [.. blocks.Select(b => b.Cid == manifestCid ? new CarBlock(b.Cid, blocks.Last().Data) : b)]),
            ["not a CAR at all"] = Encoding.UTF8.GetBytes("hello"),
        };
        var versionsBefore = await VersionsAsync(target);
        var treeBefore = await TreeAsync(target);

        // Act
        var responses = new Dictionary<string, WireResponse>();
        foreach (var (name, car) in variants)
        {
            responses[name] = await ImportAsync(target, car, "p/", replace: true);
        }
        var wrongHash = await CallAsync("POST", target, "import", "prefix=p%2F&replace=true", good, WireSigner.Sha256Hex(garbage));

        // Assert
        foreach (var (name, response) in responses)
        {
            Assert.True(response.Status == 400, $"{name}: {response}");
            Assert.Equal("InvalidArchive", Json(response).GetProperty("code").GetString());
        }
        AssertError(wrongHash, 400, "XAmzContentSHA256Mismatch");
        Assert.Equal(versionsBefore, await VersionsAsync(target));
        Assert.Equal(treeBefore, await TreeAsync(target));
    }

    [Fact(Timeout = 60_000)]
    public async Task Refused_imports_say_why_and_change_nothing()
    {
        // Arrange
        var source = await NewBucketAsync("imp-ref-src", versioned: true);
        await PutAsync(source, "a", "1");
        await PutAsync(source, "a", "2");
        var versioned = await ExportAsync(source);
        var plainSource = await NewBucketAsync("imp-ref-plain", versioned: false);
        await PutAsync(plainSource, "a", "plain");
        var plain = await ExportAsync(plainSource);
        var unversioned = await NewBucketAsync("imp-ref-u", versioned: false);
        var holder = await NewBucketAsync("imp-ref-h", versioned: false);
        await PutAsync(holder, "a", "already here");

        // Act
        var needsVersioning = await ImportAsync(unversioned, versioned);
        var exists = await ImportAsync(holder, plain);
        var noBucket = await ImportAsync(CairnServer.NewBucketName("imp-none"), plain);
        var byGet = await CallAsync("GET", holder, "import");
        var twoPrefixes = await CallAsync("POST", holder, "import", "prefix=a&prefix=b", plain);
        var plainIntoUnversioned = await ImportAsync(unversioned, plain);

        // Assert
        AssertError(needsVersioning, 409, "InvalidBucketState");
        AssertError(exists, 409, "KeyExists");
        AssertError(noBucket, 404, "NoSuchBucket");
        AssertError(byGet, 405, "MethodNotAllowed");
        AssertError(twoPrefixes, 400, "InvalidArgument");
        Assert.Equal("already here", Encoding.UTF8.GetString(await ReadAsync(holder, "a")));
        Assert.True(plainIntoUnversioned.Status == 200, plainIntoUnversioned.ToString());
        Assert.Equal("plain", Encoding.UTF8.GetString(await ReadAsync(unversioned, "a")));
    }

    private static byte[] FlipLastByte(byte[] car)
    {
        var copy = (byte[])car.Clone();
        copy[^1] ^= 0x01;
        return copy;
    }

    private static async Task<(List<CarBlock> Blocks, Cid Root)> ReadCarAsync(byte[] car)
    {
        var reader = await CarReader.OpenAsync(new MemoryStream(car), CancellationToken.None);
        var blocks = new List<CarBlock>();
        while (await reader.ReadBlockAsync(CancellationToken.None) is { } block)
        {
            blocks.Add(new CarBlock(block.Cid, block.Data.ToArray()));
        }
        return (blocks, reader.Roots[0]);
    }

    private static async Task<byte[]> WriteCarAsync(Cid root, IEnumerable<CarBlock> blocks)
    {
        using var buffer = new MemoryStream();
        var writer = new CarWriter(buffer);
        await writer.WriteHeaderAsync([root], CancellationToken.None);
        foreach (var block in blocks)
        {
            await writer.WriteBlockAsync(block.Cid, block.Data, CancellationToken.None);
        }
        return buffer.ToArray();
    }
}
