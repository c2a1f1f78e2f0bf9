using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Integration.Tests.Cli;
using Cairn.Integration.Tests.Observability;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Actions;

/// <summary>
/// The lifecycle at work through the AWS SDK (issue 13), on a server whose lifecycle day lasts two
/// seconds: objects a rule names are expired and others kept, incomplete uploads aborted, the
/// counters move; <c>x-amz-expiration</c> names the day and the rule on PUT, GET and HEAD (on the
/// standard day); <c>cairn lifecycle</c> previews what is due and changes nothing.
/// </summary>
[Trait("Issue", "13")]
public sealed class LifecycleExpirationTests : IAsyncLifetime
{
    private static readonly TimeSpan Day = TimeSpan.FromSeconds(2);

    private CairnServer _server = null!;
    private AmazonS3Client _s3 = null!;

    public async Task InitializeAsync()
    {
        _server = await CairnServer.StartAsync(["--Engine:LifecycleDay=00:00:02", "--Engine:LifecycleInterval=00:00:00.2"]);
        _s3 = _server.Client;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task Objects_under_an_expiring_prefix_go_within_days_others_stay_and_incomplete_uploads_are_aborted()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lc");
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "tmp", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "tmp/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 1 },
                        AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 1 },
                    },
                ],
            },
        });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "tmp/a", ContentBody = "a" });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "tmp/b", ContentBody = "b" });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "keep/c", ContentBody = "c" });
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "tmp/big" });
        var kept = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "keep/big" });

        // Act: a day and a half at most (a day, rounded up to the next day's start), then the worker's next look.
        var keys = await Poll.UntilAsync(async () => await KeysAsync(bucket), static keys => keys.Count == 1, Day * 10);

        // Assert
        Assert.Equal(["keep/c"], keys);
        var uploads = await Poll.UntilAsync(async () => (await _s3.ListMultipartUploadsAsync(bucket)).MultipartUploads.Select(static u => u.UploadId).ToList(),
            static ids => ids.Count == 1, Day * 10);
        Assert.Equal([kept.UploadId], uploads);
        Assert.DoesNotContain(upload.UploadId, uploads);
        using var http = new HttpClient();
        var metrics = await PrometheusScrape.ReadAsync(http, _server.Endpoint);
        Assert.Equal(2, metrics.Sum("cairn_lifecycle_actions_total", "action=expire_current", "outcome=done"));
        Assert.Equal(1, metrics.Sum("cairn_lifecycle_actions_total", "action=abort_upload", "outcome=done"));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_versioned_bucket_keeps_the_newest_noncurrent_version_and_expires_the_rest()
    {
        // Arrange
        var bucket = await _s3.NewBucketAsync("lcv");
        await _s3.PutBucketVersioningAsync(new PutBucketVersioningRequest
        {
            BucketName = bucket,
            VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
        });
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "history", Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter(),
                        NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = 1, NewerNoncurrentVersions = 1 },
                    },
                ],
            },
        });
        var written = new List<string>();
        foreach (var body in new[] { "one", "two", "three" })
        {
            written.Add((await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = body })).VersionId);
        }

        // Act
        var versions = await Poll.UntilAsync(async () => (await _s3.ListVersionsAsync(bucket)).Versions.Select(static v => v.VersionId).ToList(),
            static ids => ids.Count == 2, Day * 10);

        // Assert: the current version and the one newest noncurrent one.
        Assert.Equal([written[2], written[1]], versions);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_preview_lists_what_will_expire_and_changes_nothing()
    {
        // Arrange: a rule far off (a thousand two-second days), so nothing goes during the test.
        var bucket = await _s3.NewBucketAsync("lcp");
        await _s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "slow", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "logs/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 1000 },
                    },
                ],
            },
        });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "logs/one", ContentBody = "1" });
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "other", ContentBody = "2" });
        var later = DateTimeOffset.UtcNow.AddHours(2).ToString("O", CultureInfo.InvariantCulture);

        // Act
        var preview = await Poll.UntilAsync(() => CliAsync("lifecycle", bucket, "--at", later), static run => run.Stdout.Contains("logs/one", StringComparison.Ordinal),
            Day * 10);
        var now = await CliAsync("lifecycle", bucket);
        var missing = await CliAsync("lifecycle", CairnServer.NewBucketName("none"));
        var badTime = await CliAsync("lifecycle", bucket, "--at", "tomorrow");

        // Assert
        Assert.Equal(CairnCli.ExitSuccess, preview.ExitCode);
        var line = Assert.Single(preview.Stdout.Split('\n'), static l => l.StartsWith("expire-current\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(("slow", "logs/one", "null"), (line[2], line[3], line[4]));
        Assert.StartsWith("1 versions and 0 uploads due by ", preview.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1], StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitSuccess, now.ExitCode);
        Assert.StartsWith("0 versions and 0 uploads due by ", now.Stdout, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitServerError, missing.ExitCode);
        Assert.StartsWith("error: NoSuchLifecycleConfiguration: ", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(CairnCli.ExitServerError, badTime.ExitCode);
        Assert.StartsWith("error: InvalidArgument: ", badTime.Stderr, StringComparison.Ordinal);
        Assert.Equal(["logs/one", "other"], await KeysAsync(bucket));
    }

    [Fact(Timeout = 60_000)]
    public async Task Put_get_and_head_name_the_expiration_day_and_rule_of_the_current_version()
    {
        // On the standard day: this test's own server.
        await using var server = await CairnServer.StartAsync();
        var s3 = server.Client;
        var bucket = await s3.NewBucketAsync("lcx");
        await s3.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration
            {
                Rules =
                [
                    new LifecycleRule
                    {
                        Id = "three days", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "logs/" } },
                        Expiration = new LifecycleRuleExpiration { Days = 3 },
                    },
                    new LifecycleRule
                    {
                        Id = "on a date", Status = LifecycleRuleStatus.Enabled,
                        Filter = new LifecycleFilter { LifecycleFilterPredicate = new LifecyclePrefixPredicate { Prefix = "dated/" } },
                        Expiration = new LifecycleRuleExpiration { Date = new DateTime(2040, 1, 1, 0, 0, 0, DateTimeKind.Utc) },
                    },
                ],
            },
        });

        // Act
        var put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "logs/a", ContentBody = "a" });
        var head = await s3.GetObjectMetadataAsync(bucket, "logs/a");
        using var get = await s3.GetObjectAsync(bucket, "logs/a");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dated/b", ContentBody = "b" });
        var dated = await s3.GetObjectMetadataAsync(bucket, "dated/b");
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "other", ContentBody = "c" });
        var other = await s3.GetObjectMetadataAsync(bucket, "other");
        var copy = await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "other", DestinationBucket = bucket, DestinationKey = "logs/copy" });
        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "logs/parts" });
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = "logs/parts",
            UploadId = upload.UploadId,
            PartNumber = 1,
            InputStream = new MemoryStream([1, 2, 3]),
        });
        var completed = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "logs/parts",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, part.ETag)],
        });

        // Assert: three days after the write, rounded up to the next midnight UTC.
        var expected = new DateTimeOffset(head.LastModified!.Value.ToUniversalTime().Date, TimeSpan.Zero).AddDays(4);
        Assert.Equal(expected.UtcDateTime, put.Expiration.ExpiryDate.ToUniversalTime());
        Assert.Equal("three days", put.Expiration.RuleId);
        Assert.Equal((expected.UtcDateTime, "three days"), (head.Expiration.ExpiryDate.ToUniversalTime(), head.Expiration.RuleId));
        Assert.Equal((expected.UtcDateTime, "three days"), (get.Expiration.ExpiryDate.ToUniversalTime(), get.Expiration.RuleId));
        Assert.Equal((new DateTime(2040, 1, 1, 0, 0, 0, DateTimeKind.Utc), "on a date"), (dated.Expiration.ExpiryDate.ToUniversalTime(), dated.Expiration.RuleId));
        Assert.Equal("three days", copy.Expiration.RuleId);
        Assert.Equal("three days", completed.Expiration.RuleId);
        Assert.Equal(expected.UtcDateTime, completed.Expiration.ExpiryDate.ToUniversalTime());
        Assert.False(other.ResponseMetadata.Metadata.ContainsKey("x-amz-expiration"));
        Assert.Null(other.Expiration);
        Assert.Equal(HttpStatusCode.OK, other.HttpStatusCode);
    }

    private Task<CliRun> CliAsync(params string[] args) => CliRun.StartAsync(handler: null, [.. args, "--endpoint", _server.Endpoint]);

    private async Task<List<string>> KeysAsync(string bucket) =>
        [.. (await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects?.Select(static o => o.Key) ?? []];
}
