using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// <c>cairn bucket</c>, <c>cairn policy</c> and <c>cairn usage</c> (issue 14) against a real server:
/// what they print, what they change (read back with the AWS SDK), and their refusals with S3's
/// codes and nothing changed.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class BucketCliTests(AccessFixture fixture)
{
    private CairnServer Server => fixture.Server;

    [Fact(Timeout = 60_000)]
    public async Task Usage_counts_each_buckets_objects_versions_and_bytes_and_names_its_owner()
    {
        var bucket = CairnServer.NewBucketName("usage");
        Assert.Equal((CairnCli.ExitSuccess, $"created bucket {bucket}\n"), Result(await fixture.CairnAsync(["bucket", "create", bucket])));
        var s3 = Server.Client;
        await s3.PutBucketVersioningAsync(new PutBucketVersioningRequest { BucketName = bucket, VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled } });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a", ContentBody = new string('a', 100) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a", ContentBody = new string('a', 250) });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "b", ContentBody = new string('b', 40) });
        await s3.DeleteObjectAsync(bucket, "b");
        var user = await fixture.AddUserAsync("usageowner");
        using var userClient = Server.CreateClient(accessKey: user.AccessKey, secretKey: user.SecretKey);
        var owned = CairnServer.NewBucketName("owned");
        await userClient.PutBucketAsync(owned);

        var json = await fixture.CairnAsync(["usage", "--json"]);
        var text = await fixture.CairnAsync(["usage"]);
        var list = await fixture.CairnAsync(["bucket", "list"]);

        Assert.Equal(CairnCli.ExitSuccess, json.ExitCode);
        using var report = JsonDocument.Parse(json.Stdout);
        var row = report.RootElement.GetProperty("buckets").EnumerateArray().Single(entry => entry.GetProperty("name").GetString() == bucket);
        Assert.Equal((1L, 250L, 2L, 140L, 1L, "Enabled"), (row.GetProperty("objects").GetInt64(), row.GetProperty("bytes").GetInt64(),
            row.GetProperty("noncurrentVersions").GetInt64(), row.GetProperty("noncurrentBytes").GetInt64(), row.GetProperty("deleteMarkers").GetInt64(),
            row.GetProperty("versioning").GetString()));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("owner").ValueKind);
        Assert.Contains($"{bucket}\t1\t250\t2\t140\t1\n", text.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("bucket\tobjects\tbytes\t", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("\ntotal\t", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{bucket}\troot\tEnabled\t1 objects\t250 B\n", list.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{owned}\t{user.Name}\tUnversioned\t0 objects\t0 B\n", list.Stdout, StringComparison.Ordinal);

        // The admin API answers root only.
        var asUser = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = user.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = user.SecretKey };
        var refused = await fixture.CairnAsync(["usage"], asUser);
        Assert.Equal(CairnCli.ExitServerError, refused.ExitCode);
        Assert.StartsWith("error: AccessDenied: ", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_policy_is_put_from_a_file_printed_and_deleted_and_a_bad_one_is_refused()
    {
        var bucket = CairnServer.NewBucketName("clipolicy");
        await Server.Client.PutBucketAsync(bucket);
        var policy = $$"""{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam:::user/reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{bucket}}/*"}]}""";
        var file = Path.Combine(Path.GetTempPath(), $"cairn-policy-{Guid.NewGuid():N}.json");
        var badFile = file + ".bad";
        await File.WriteAllTextAsync(file, policy);
        await File.WriteAllTextAsync(badFile, """{"Statement": [{"Effect": "Allow", "NotPrincipal": "*", "Action": "s3:*", "Resource": "*"}]}""");
        try
        {
            Assert.Equal((CairnCli.ExitSuccess, $"put the policy of {bucket}\n"), Result(await fixture.CairnAsync(["policy", "put", bucket, file])));
            Assert.Equal(policy, (await Server.Client.GetBucketPolicyAsync(bucket)).Policy);
            Assert.Equal((CairnCli.ExitSuccess, policy + "\n"), Result(await fixture.CairnAsync(["policy", "get", bucket])));

            var bad = await fixture.CairnAsync(["policy", "put", bucket, badFile]);
            Assert.Equal(CairnCli.ExitServerError, bad.ExitCode);
            Assert.StartsWith("error: MalformedPolicy: ", bad.Stderr, StringComparison.Ordinal);
            Assert.Equal(policy, (await Server.Client.GetBucketPolicyAsync(bucket)).Policy);

            Assert.Equal((CairnCli.ExitSuccess, $"deleted the policy of {bucket}\n"), Result(await fixture.CairnAsync(["policy", "delete", bucket])));
            var gone = await fixture.CairnAsync(["policy", "get", bucket]);
            Assert.Equal(CairnCli.ExitServerError, gone.ExitCode);
            Assert.StartsWith("error: NoSuchBucketPolicy: ", gone.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(badFile);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bucket_is_deleted_only_when_empty()
    {
        var bucket = CairnServer.NewBucketName("clidelete");
        await fixture.CairnAsync(["bucket", "create", bucket]);
        await Server.Client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "x" });

        var refused = await fixture.CairnAsync(["bucket", "delete", bucket]);
        Assert.Equal(CairnCli.ExitServerError, refused.ExitCode);
        Assert.StartsWith("error: BucketNotEmpty: ", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("x", await ReadAsync(bucket, "k"));

        await Server.Client.DeleteObjectAsync(bucket, "k");
        Assert.Equal((CairnCli.ExitSuccess, $"deleted bucket {bucket}\n"), Result(await fixture.CairnAsync(["bucket", "delete", bucket])));
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Server.Client.GetBucketLocationAsync(bucket));
        Assert.Equal("NoSuchBucket", error.ErrorCode);
    }

    private static (int ExitCode, string Stdout) Result(Cli.CliRun run) => (run.ExitCode, run.ExitCode == CairnCli.ExitSuccess ? run.Stdout : run.Stderr);

    private async Task<string> ReadAsync(string bucket, string key)
    {
        using var response = await Server.Client.GetObjectAsync(bucket, key);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }
}
