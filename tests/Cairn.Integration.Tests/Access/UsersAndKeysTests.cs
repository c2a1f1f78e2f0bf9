using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Cairn.Server.Cli;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// Users and keys end to end (issue 14), with the AWS SDK and the <c>cairn</c> tool against a real
/// server: each user sees and uses only its own buckets until granted more; a disabled, rotated or
/// deleted key is refused as AWS refuses an inactive key (403 InvalidAccessKeyId); the admin API
/// answers root only; bad admin calls get IAM's codes and change nothing.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class UsersAndKeysTests(AccessFixture fixture)
{
    private CairnServer Server => fixture.Server;

    private AmazonS3Client ClientOf(string accessKey, string secretKey) => Server.CreateClient(accessKey: accessKey, secretKey: secretKey);


    [Fact(Timeout = 60_000)]
    public async Task User_add_prints_a_key_pair_that_works_with_the_AWS_SDK_and_its_bucket_is_its_own()
    {
        var alice = await fixture.AddUserAsync("alice");
        using var client = ClientOf(alice.AccessKey, alice.SecretKey);
        var bucket = CairnServer.NewBucketName("alice");

        await client.PutBucketAsync(bucket);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "note.txt", ContentBody = "hello from alice" });
        using var read = await client.GetObjectAsync(bucket, "note.txt");
        using var reader = new StreamReader(read.ResponseStream);

        Assert.Equal("hello from alice", await reader.ReadToEndAsync());
        Assert.Equal([bucket], (await client.ListBucketsAsync()).Buckets.Select(listed => listed.BucketName));
        // Root sees every bucket, alice's among them.
        Assert.Contains(bucket, (await Server.Client.ListBucketsAsync()).Buckets.Select(listed => listed.BucketName));
    }

    [Fact(Timeout = 60_000)]
    public async Task One_user_cannot_read_list_write_copy_or_delete_in_anothers_bucket_and_nothing_changes()
    {
        var alice = await fixture.AddUserAsync("alice");
        var bob = await fixture.AddUserAsync("bob");
        using var aliceClient = ClientOf(alice.AccessKey, alice.SecretKey);
        using var bobClient = ClientOf(bob.AccessKey, bob.SecretKey);
        var alices = CairnServer.NewBucketName("alice");
        var bobs = CairnServer.NewBucketName("bob");
        await aliceClient.PutBucketAsync(alices);
        await aliceClient.PutObjectAsync(new PutObjectRequest { BucketName = alices, Key = "private.txt", ContentBody = "alice only" });
        await bobClient.PutBucketAsync(bobs);

        await AccessFixture.RefusedAsync(() => bobClient.GetObjectAsync(alices, "private.txt"), HttpStatusCode.Forbidden, "AccessDenied");
        await AccessFixture.RefusedAsync(() => bobClient.GetObjectMetadataAsync(alices, "private.txt"), HttpStatusCode.Forbidden, "Forbidden");
        await AccessFixture.RefusedAsync(() => bobClient.ListObjectsV2Async(new ListObjectsV2Request { BucketName = alices }), HttpStatusCode.Forbidden, "AccessDenied");
        await AccessFixture.RefusedAsync(() => bobClient.PutObjectAsync(new PutObjectRequest { BucketName = alices, Key = "private.txt", ContentBody = "bob was here" }),
            HttpStatusCode.Forbidden, "AccessDenied");
        await AccessFixture.RefusedAsync(() => bobClient.CopyObjectAsync(alices, "private.txt", bobs, "stolen.txt"), HttpStatusCode.Forbidden, "AccessDenied");
        await AccessFixture.RefusedAsync(() => bobClient.DeleteObjectAsync(alices, "private.txt"), HttpStatusCode.Forbidden, "AccessDenied");
        await AccessFixture.RefusedAsync(() => bobClient.DeleteBucketAsync(alices), HttpStatusCode.Forbidden, "AccessDenied");
        // The name is taken by another identity: S3's BucketAlreadyExists, not "owned by you".
        await AccessFixture.RefusedAsync(() => bobClient.PutBucketAsync(alices), HttpStatusCode.Conflict, "BucketAlreadyExists");

        Assert.Equal([bobs], (await bobClient.ListBucketsAsync()).Buckets.Select(listed => listed.BucketName));
        Assert.Empty((await bobClient.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bobs })).S3Objects ?? []);
        var listing = await aliceClient.ListObjectsV2Async(new ListObjectsV2Request { BucketName = alices });
        Assert.Equal(["private.txt"], listing.S3Objects.Select(entry => entry.Key));
        using var read = await aliceClient.GetObjectAsync(alices, "private.txt");
        using var reader = new StreamReader(read.ResponseStream);
        Assert.Equal("alice only", await reader.ReadToEndAsync());
        // Root may do everything, in any user's bucket.
        using var rootRead = await Server.Client.GetObjectAsync(alices, "private.txt");
        Assert.Equal(HttpStatusCode.OK, rootRead.HttpStatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_copy_source_and_an_inventory_destination_in_anothers_bucket_are_refused()
    {
        var alice = await fixture.AddUserAsync("alice");
        var bob = await fixture.AddUserAsync("bob");
        using var aliceClient = ClientOf(alice.AccessKey, alice.SecretKey);
        using var bobClient = ClientOf(bob.AccessKey, bob.SecretKey);
        var alices = CairnServer.NewBucketName("alice");
        var bobs = CairnServer.NewBucketName("bob");
        await aliceClient.PutBucketAsync(alices);
        await aliceClient.PutObjectAsync(new PutObjectRequest { BucketName = alices, Key = "secret.bin", ContentBody = new string('s', 6 * 1024 * 1024) });
        await bobClient.PutBucketAsync(bobs);

        // Bob's own upload, a part copied from alice's bucket: refused on the source alone.
        var upload = await bobClient.InitiateMultipartUploadAsync(bobs, "copied.bin");
        await AccessFixture.RefusedAsync(() => bobClient.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = alices,
            SourceKey = "secret.bin",
            DestinationBucket = bobs,
            DestinationKey = "copied.bin",
            UploadId = upload.UploadId,
            PartNumber = 1,
        }), HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Empty((await bobClient.ListPartsAsync(bobs, "copied.bin", upload.UploadId)).Parts ?? []);

        // Alice's inventory may not write into bob's bucket (the worker writes as the server); into her own, it may.
        InventoryConfiguration Inventory(string destination) => new()
        {
            InventoryId = "daily",
            IsEnabled = true,
            Destination = new InventoryDestination
            {
                S3BucketDestination = new InventoryS3BucketDestination { BucketName = "arn:aws:s3:::" + destination, InventoryFormat = InventoryFormat.CSV },
            },
            IncludedObjectVersions = InventoryIncludedObjectVersions.Current,
            Schedule = new InventorySchedule { Frequency = InventoryFrequency.Daily },
        };
        await AccessFixture.RefusedAsync(() => aliceClient.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = alices,
            InventoryId = "daily",
            InventoryConfiguration = Inventory(bobs),
        }), HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Empty((await aliceClient.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = alices }))
            .InventoryConfigurationList ?? []);
        await aliceClient.PutBucketInventoryConfigurationAsync(new PutBucketInventoryConfigurationRequest
        {
            BucketName = alices,
            InventoryId = "daily",
            InventoryConfiguration = Inventory(alices),
        });
        Assert.Single((await aliceClient.ListBucketInventoryConfigurationsAsync(new ListBucketInventoryConfigurationsRequest { BucketName = alices }))
            .InventoryConfigurationList);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_disabled_key_is_refused_as_AWS_refuses_an_inactive_key_until_enabled_and_a_rotated_or_deleted_key_stays_refused()
    {
        var carol = await fixture.AddUserAsync("carol");
        using var client = ClientOf(carol.AccessKey, carol.SecretKey);
        Assert.Empty((await client.ListBucketsAsync()).Buckets ?? []);

        Assert.Equal(CairnCli.ExitSuccess, (await fixture.CairnAsync(["key", "disable", carol.AccessKey])).ExitCode);
        var refused = await AccessFixture.RefusedAsync(() => client.ListBucketsAsync(), HttpStatusCode.Forbidden, "InvalidAccessKeyId");
        Assert.Contains("does not exist in our records", refused.Message, StringComparison.Ordinal);
        var list = await fixture.CairnAsync(["key", "list", carol.Name]);
        Assert.Contains($"{carol.AccessKey}\t{carol.Name}\tinactive\t", list.Stdout, StringComparison.Ordinal);

        Assert.Equal(CairnCli.ExitSuccess, (await fixture.CairnAsync(["key", "enable", carol.AccessKey])).ExitCode);
        Assert.Empty((await client.ListBucketsAsync()).Buckets ?? []);

        var rotate = await fixture.CairnAsync(["key", "rotate", carol.AccessKey]);
        Assert.Equal(CairnCli.ExitSuccess, rotate.ExitCode);
        var (newAccessKey, newSecretKey) = AccessFixture.KeyLines(rotate.Stdout);
        Assert.NotEqual(carol.AccessKey, newAccessKey);
        await AccessFixture.RefusedAsync(() => client.ListBucketsAsync(), HttpStatusCode.Forbidden, "InvalidAccessKeyId");
        using var rotated = ClientOf(newAccessKey, newSecretKey);
        Assert.Empty((await rotated.ListBucketsAsync()).Buckets ?? []);

        Assert.Equal(CairnCli.ExitSuccess, (await fixture.CairnAsync(["key", "delete", newAccessKey])).ExitCode);
        await AccessFixture.RefusedAsync(() => rotated.ListBucketsAsync(), HttpStatusCode.Forbidden, "InvalidAccessKeyId");
        // A right key id with a wrong secret is a signature mismatch, as on AWS.
        using var wrongSecret = ClientOf(carol.AccessKey, new string('x', 40));
        Assert.Equal(CairnCli.ExitSuccess, (await fixture.CairnAsync(["key", "enable", carol.AccessKey])).ExitCode);
        await AccessFixture.RefusedAsync(() => wrongSecret.ListBucketsAsync(), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_admin_API_answers_root_only()
    {
        var dave = await fixture.AddUserAsync("dave");
        var asDave = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = dave.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = dave.SecretKey };
        var bucket = CairnServer.NewBucketName("dave");
        using var client = ClientOf(dave.AccessKey, dave.SecretKey);
        await client.PutBucketAsync(bucket);

        foreach (var args in new[] { ["user", "list"], ["user", "add", "mallory"], ["key", "list"], ["tree", bucket], new[] { "key", "add", dave.Name } })
        {
            var run = await fixture.CairnAsync(args, asDave);
            Assert.True(run.ExitCode == CairnCli.ExitServerError, string.Join(' ', args) + ": " + run.Stdout + run.Stderr);
            Assert.StartsWith("error: AccessDenied: ", run.Stderr, StringComparison.Ordinal);
        }
        var users = await fixture.CairnAsync(["user", "list"]);
        Assert.Contains(dave.Name + "\t", users.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("mallory", users.Stdout, StringComparison.Ordinal);
        Assert.Single((await fixture.CairnAsync(["key", "list", dave.Name])).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("has space")]
    [InlineData("slash%2Fin")]
    [InlineData("a-name-of-sixty-five-characters-which-is-one-more-than-iam-allows")]
    public async Task A_bad_user_name_is_a_ValidationError_and_no_user_is_made(string name)
    {
        var before = (await fixture.CairnAsync(["user", "list"])).Stdout;

        var run = await fixture.CairnAsync(["user", "add", name]);

        Assert.Equal(CairnCli.ExitServerError, run.ExitCode);
        Assert.StartsWith("error: ValidationError: ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, (await fixture.CairnAsync(["user", "list"])).Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task Taken_names_missing_users_and_keys_and_a_user_owning_a_bucket_get_IAMs_codes_and_change_nothing()
    {
        var erin = await fixture.AddUserAsync("erin");
        using var client = ClientOf(erin.AccessKey, erin.SecretKey);
        var bucket = CairnServer.NewBucketName("erin");
        await client.PutBucketAsync(bucket);

        var cases = new (string[] Args, string Code)[]
        {
            (["user", "add", erin.Name], "EntityAlreadyExists"),
            (["user", "delete", erin.Name], "DeleteConflict"),
            (["user", "delete", "nobody-" + erin.Name], "NoSuchEntity"),
            (["key", "add", "nobody-" + erin.Name], "NoSuchEntity"),
            (["key", "list", "nobody-" + erin.Name], "NoSuchEntity"),
            (["key", "disable", "CKNOSUCHKEY000000000"], "NoSuchEntity"),
            (["key", "rotate", "CKNOSUCHKEY000000000"], "NoSuchEntity"),
            (["key", "delete", "CKNOSUCHKEY000000000"], "NoSuchEntity"),
        };
        foreach (var (args, code) in cases)
        {
            var run = await fixture.CairnAsync(args);
            Assert.True(run.ExitCode == CairnCli.ExitServerError, string.Join(' ', args) + ": " + run.Stdout + run.Stderr);
            Assert.StartsWith($"error: {code}: ", run.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal([bucket], (await client.ListBucketsAsync()).Buckets.Select(listed => listed.BucketName));
        Assert.Contains($"{erin.AccessKey}\t{erin.Name}\tactive\t", (await fixture.CairnAsync(["key", "list", erin.Name])).Stdout, StringComparison.Ordinal);

        // Once its bucket is gone, the user goes, and its key with it.
        await client.DeleteBucketAsync(bucket);
        Assert.Equal(CairnCli.ExitSuccess, (await fixture.CairnAsync(["user", "delete", erin.Name])).ExitCode);
        await AccessFixture.RefusedAsync(() => client.ListBucketsAsync(), HttpStatusCode.Forbidden, "InvalidAccessKeyId");
    }
}
