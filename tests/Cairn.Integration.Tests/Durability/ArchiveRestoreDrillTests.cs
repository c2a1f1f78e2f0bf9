using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Durability;

/// <summary>
/// The restore drill (issue 13), with moto_server as the archive: a server archives its journal while
/// a workload runs through the AWS SDK; the server stops, its catalog database is deleted, and
/// <c>cairn restore</c> rebuilds it from the archive alone; a server started on it answers listings,
/// versions, ETags, tags, metadata, configurations and bytes exactly as before. A restore to a moment
/// gives the state at that moment, not a later one.
/// </summary>
[Trait("Issue", "13")]
public sealed class ArchiveRestoreDrillTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private string[] ArchiveSettings(string bucket) =>
    [
        $"Archive:Endpoint={moto.Endpoint}", $"Archive:Bucket={bucket}", "Archive:Prefix=archive/", "Archive:PathStyle=true",
        $"Archive:AccessKey={MotoServer.AccessKey}", $"Archive:SecretKey={MotoServer.SecretKey}",
    ];

    private string[] ServerArgs(string bucket) =>
        [.. ArchiveSettings(bucket).Select(static s => "--" + s), "--Engine:ArchiveInterval=00:00:00.2"];

    [Fact(Timeout = 120_000)]
    public async Task A_catalog_deleted_and_restored_from_the_archive_answers_exactly_as_before()
    {
        // Arrange: a workload, archived to the end.
        var archiveBucket = await moto.CreateBucketAsync();
        var data = NewDataDirectory();
        var server = await CairnServer.StartAsync(ServerArgs(archiveBucket), dataDirectory: data);
        string before;
        try
        {
            await WorkloadAsync(server.Client, "one");
            await WaitArchivedAsync(server);
            before = await SnapshotAsync(server.Client);
            await server.StopKeepingDataAsync();

            // Act: the catalog goes; the restore rebuilds it; a server starts on it.
            DeleteCatalog(data);
            var (exit, output) = await RestoreAsync(data, archiveBucket);
            await using var restored = await CairnServer.StartAsync(ServerArgs(archiveBucket), dataDirectory: data);
            var after = await SnapshotAsync(restored.Client);

            // Assert
            Assert.True(exit == CairnCli.ExitSuccess, output);
            Assert.Contains("buckets: 2", output, StringComparison.Ordinal);
            Assert.Equal(before, after);
        }
        finally
        {
            await server.DisposeAsync();
            TryDelete(data);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task With_small_objects_in_packs_and_one_pack_never_shipped_the_restored_catalog_answers_exactly_as_before()
    {
        // Arrange: objects of 20 to 39 KiB (above the inline threshold) in packs of about 100 KB, the
        // full ones shipped as they fill; the last one still open in the local segment when the
        // server stops (it would ship only after an hour).
        var archiveBucket = await moto.CreateBucketAsync();
        var data = NewDataDirectory();
        string[] packed = [.. ServerArgs(archiveBucket), "--Engine:PackThreshold=65536", "--Engine:PackTargetSize=100000", "--Engine:PackMaxAge=01:00:00"];
        var server = await CairnServer.StartAsync(packed, dataDirectory: data);
        try
        {
            await WorkloadAsync(server.Client, "one");
            for (var i = 0; i < 20; i++)
            {
                await PutAsync(server.Client, "drill-plain", $"packed/{i:D2}", 20_000 + (i * 1_000));
            }
            await WaitArchivedAsync(server);
            var before = await SnapshotAsync(server.Client);
            await server.StopKeepingDataAsync();
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data, "segments"), "*.seg"));

            // Act
            DeleteCatalog(data);
            var (exit, output) = await RestoreAsync(data, archiveBucket);
            await using var restored = await CairnServer.StartAsync(packed, dataDirectory: data);
            var after = await SnapshotAsync(restored.Client);

            // Assert: every key back, from packs found in the blob store and the one shipped from the segment.
            Assert.True(exit == CairnCli.ExitSuccess, output);
            // At least the open pack's segment (a full pack the worker had not shipped yet would be another).
            Assert.True(CountIn(output, "local segments shipped") >= 1, output);
            Assert.True(CountIn(output, "packs") >= 2, output);
            Assert.Equal(before, after);
        }
        finally
        {
            await server.DisposeAsync();
            TryDelete(data);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_restore_to_a_moment_gives_the_state_at_that_moment()
    {
        // Arrange: a first workload archived; the moment; a second workload archived.
        var archiveBucket = await moto.CreateBucketAsync();
        var data = NewDataDirectory();
        var server = await CairnServer.StartAsync(ServerArgs(archiveBucket), dataDirectory: data);
        try
        {
            await WorkloadAsync(server.Client, "one");
            await WaitArchivedAsync(server);
            var atMoment = await SnapshotAsync(server.Client);
            await Task.Delay(50);
            var moment = DateTimeOffset.UtcNow;
            await Task.Delay(50);
            await WorkloadAsync(server.Client, "two");
            await server.Client.DeleteObjectAsync("drill-plain", "one/chunked");
            await WaitArchivedAsync(server);
            var later = await SnapshotAsync(server.Client);
            await server.StopKeepingDataAsync();

            // Act
            DeleteCatalog(data);
            var (exit, output) = await RestoreAsync(data, archiveBucket, "--at", moment.ToString("O"));
            await using var restored = await CairnServer.StartAsync(ServerArgs(archiveBucket), dataDirectory: data);

            // Assert
            Assert.True(exit == CairnCli.ExitSuccess, output);
            Assert.NotEqual(atMoment, later);
            Assert.Equal(atMoment, await SnapshotAsync(restored.Client));
        }
        finally
        {
            await server.DisposeAsync();
            TryDelete(data);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Restore_refuses_to_write_over_a_catalog_and_says_what_it_needs()
    {
        var data = NewDataDirectory();
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "metadata.db"), "not a catalog");
        try
        {
            var (exists, existsOutput) = await RestoreAsync(data, "some-bucket");
            var (noArchive, noArchiveOutput) = await RunCliAsync(["restore", "--data-dir", NewDataDirectory()]);
            var (badTime, badTimeOutput) = await RestoreAsync(NewDataDirectory(), "some-bucket", "--at", "yesterday");
            var (noNumber, noNumberOutput) = await RestoreAsync(NewDataDirectory(), "some-bucket", "--seq", "docs");
            var (negative, _) = await RestoreAsync(NewDataDirectory(), "some-bucket", "--seq", "docs=-1");
            var (twice, _) = await RestoreAsync(NewDataDirectory(), "some-bucket", "--seq", "docs=1", "--seq", "docs=2");

            Assert.Equal(CairnCli.ExitUsage, exists);
            Assert.Contains("exists", existsOutput, StringComparison.Ordinal);
            Assert.Equal(CairnCli.ExitUsage, noArchive);
            Assert.Contains("Archive:Bucket", noArchiveOutput, StringComparison.Ordinal);
            Assert.Equal(CairnCli.ExitUsage, badTime);
            Assert.Contains("--at", badTimeOutput, StringComparison.Ordinal);
            Assert.Equal((CairnCli.ExitUsage, CairnCli.ExitUsage, CairnCli.ExitUsage), (noNumber, negative, twice));
            Assert.Contains("--seq takes BUCKET=N", noNumberOutput, StringComparison.Ordinal);
            Assert.Equal("not a catalog", await File.ReadAllTextAsync(Path.Combine(data, "metadata.db")));
        }
        finally
        {
            TryDelete(data);
        }
    }

    private Task<(int Exit, string Output)> RestoreAsync(string data, string archiveBucket, params string[] more) =>
        RunCliAsync(["restore", "--data-dir", data, .. ArchiveSettings(archiveBucket).SelectMany(static s => new[] { "--set", s }), .. more]);

    private static async Task<(int Exit, string Output)> RunCliAsync(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(args, stdout, stderr, handler: null, static _ => null);
        return (exit, stdout + stderr.ToString());
    }

    private static async Task WorkloadAsync(IAmazonS3 s3, string round)
    {
        if (round == "one")
        {
            await s3.PutBucketAsync("drill-versioned");
            await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = "drill-versioned",
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            });
            await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = "drill-versioned", TagSet = [new Tag { Key = "team", Value = "a" }] });
            await s3.PutBucketAsync("drill-plain");
            await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = "drill-plain",
                Configuration = new LifecycleConfiguration
                {
                    Rules =
                    [
                        new LifecycleRule
                        {
                            Id = "tmp", Status = LifecycleRuleStatus.Enabled,
                            Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "tmp/" } },
                            Expiration = new LifecycleRuleExpiration { Days = 30 },
                        },
                    ],
                },
            });
        }
        for (var i = 0; i < 3; i++)
        {
            await PutAsync(s3, "drill-versioned", $"{round}/doc", 300_000 + i);
        }
        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = "drill-versioned",
            Key = $"{round}/doc",
            Tagging = new Tagging { TagSet = [new Tag { Key = "state", Value = "final" }] },
        });
        await PutAsync(s3, "drill-versioned", $"{round}/small", 100);
        await s3.DeleteObjectAsync("drill-versioned", $"{round}/small");
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "drill-versioned", Key = $"{round}/multipart" });
        var parts = new List<PartETag>();
        for (var part = 1; part <= 2; part++)
        {
            var response = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = "drill-versioned",
                Key = $"{round}/multipart",
                UploadId = upload.UploadId,
                PartNumber = part,
                InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(part == 1 ? 5 * 1024 * 1024 : 1000)),
            });
            parts.Add(new PartETag(part, response.ETag));
        }
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "drill-versioned",
            Key = $"{round}/multipart",
            UploadId = upload.UploadId,
            PartETags = parts,
        });
        await PutAsync(s3, "drill-plain", $"{round}/chunked", 200_000);
        await PutAsync(s3, "drill-plain", $"{round}/small", 10);
        await PutAsync(s3, "drill-plain", $"{round}/small", 20);
        await PutAsync(s3, "drill-plain", $"{round}/gone", 30);
        await s3.DeleteObjectAsync("drill-plain", $"{round}/gone");
    }

    private static async Task PutAsync(IAmazonS3 s3, string bucket, string key, int size)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(RandomNumberGenerator.GetBytes(size)),
            ContentType = "application/x-drill",
        };
        request.Metadata.Add("origin", key);
        await s3.PutObjectAsync(request);
    }

    /// <summary>Waits until the archive has every entry (its health says 0 behind).</summary>
    private static async Task WaitArchivedAsync(CairnServer server)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string text;
        do
        {
            await Task.Delay(200);
            var response = await http.GetAsync(new Uri(new Uri(server.Endpoint), "/_cairn/health/archive"));
            text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK && text.StartsWith("archive ok: 0 entries", StringComparison.Ordinal))
            {
                // One more interval: the bucket-state document of the last change is written at the start of a step.
                await Task.Delay(500);
                return;
            }
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail("The archive did not catch up: " + text);
    }

    /// <summary>What the drill compares, through S3: buckets, tags, configurations, every version and its bytes.</summary>
    private static async Task<string> SnapshotAsync(IAmazonS3 s3)
    {
        var text = new StringBuilder();
        foreach (var bucket in ((await s3.ListBucketsAsync()).Buckets ?? []).Where(static b => b.BucketName.StartsWith("drill-", StringComparison.Ordinal))
            .OrderBy(static b => b.BucketName, StringComparer.Ordinal))
        {
            text.AppendLine("bucket " + bucket.BucketName);
            var versioning = await s3.GetBucketVersioningAsync(bucket.BucketName);
            text.AppendLine("  versioning " + versioning.VersioningConfig.Status);
            try
            {
                var tags = await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket.BucketName });
                text.AppendLine("  tags " + string.Join(",", (tags.TagSet ?? []).Select(static t => t.Key + "=" + t.Value)));
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                text.AppendLine("  no tags");
            }
            var lifecycle = await s3.GetLifecycleConfigurationAsync(bucket.BucketName);
            text.AppendLine("  lifecycle " + string.Join(",", (lifecycle.Configuration?.Rules ?? []).Select(static r => r.Id)));
            var versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket.BucketName });
            foreach (var version in versions.Versions ?? [])
            {
                text.Append($"  {version.Key} {version.VersionId} latest={version.IsLatest} marker={version.IsDeleteMarker} {version.ETag} {version.Size} " +
                    $"{version.LastModified:O}");
                if (version.IsDeleteMarker != true)
                {
                    var request = new GetObjectRequest { BucketName = bucket.BucketName, Key = version.Key };
                    if (version.VersionId != "null")
                    {
                        request.VersionId = version.VersionId;
                    }
                    using var response = await s3.GetObjectAsync(request);
                    using var body = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(body);
                    var tagging = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest
                    {
                        BucketName = bucket.BucketName,
                        Key = version.Key,
                        VersionId = request.VersionId,
                    });
                    text.Append($" type={response.Headers.ContentType} origin={response.Metadata["origin"]} parts={response.PartsCount}" +
                        $" tags={string.Join(",", (tagging.Tagging ?? []).Select(static t => t.Key + "=" + t.Value))}" +
                        $" sha256={Convert.ToHexStringLower(SHA256.HashData(body.ToArray()))}");
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    /// <summary>The number on the restore's report line <c>label: N</c>; -1 when there is no such line.</summary>
    private static int CountIn(string output, string label)
    {
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith(label + ": ", StringComparison.Ordinal));
        return line is null ? -1 : int.Parse(line[(label.Length + 2)..].Trim(), CultureInfo.InvariantCulture);
    }

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "cairn-tests", Guid.NewGuid().ToString("N"));

    private static void DeleteCatalog(string data)
    {
        foreach (var file in Directory.EnumerateFiles(data, "metadata.db*"))
        {
            File.Delete(file);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}
