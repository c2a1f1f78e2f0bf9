using System.Diagnostics;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// Bucket policies end to end (issue 14), with the AWS SDK: Put/Get/DeleteBucketPolicy and
/// GetBucketPolicyStatus with their bad inputs; a user who cannot read another's bucket can once a
/// policy grants it and cannot after a Deny, which binds the owner too; an anonymous GET of an
/// object a policy makes public works with curl, and nothing else is public.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class BucketPolicyTests(AccessFixture fixture)
{
    private CairnServer Server => fixture.Server;


    private static string Grant(string effect, string principal, string actions, string resources) =>
        $$"""{"Version": "2012-10-17", "Statement": [{"Effect": "{{effect}}", "Principal": {{principal}}, "Action": {{actions}}, "Resource": {{resources}}}]}""";

    private async Task<(AmazonS3Client Alice, AmazonS3Client Bob, string Bob_, string Bucket)> TwoUsersAsync()
    {
        var alice = await fixture.AddUserAsync("alice");
        var bob = await fixture.AddUserAsync("bob");
        var aliceClient = Server.CreateClient(accessKey: alice.AccessKey, secretKey: alice.SecretKey);
        var bobClient = Server.CreateClient(accessKey: bob.AccessKey, secretKey: bob.SecretKey);
        var bucket = CairnServer.NewBucketName("policy");
        await aliceClient.PutBucketAsync(bucket);
        await aliceClient.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "shared/report.txt", ContentBody = "quarterly" });
        await aliceClient.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "private/diary.txt", ContentBody = "dear diary" });
        return (aliceClient, bobClient, bob.Name, bucket);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_policy_grants_another_user_read_and_list_and_a_Deny_takes_it_back()
    {
        var (alice, bob, bobName, bucket) = await TwoUsersAsync();
        using (alice)
        using (bob)
        {
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "shared/report.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            await AccessFixture.RefusedAsync(() => bob.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }), HttpStatusCode.Forbidden, "AccessDenied");

            var bobArn = $$"""{"AWS": "arn:aws:iam:::user/{{bobName}}"}""";
            var grant = $$$$"""
                {"Version": "2012-10-17", "Statement": [
                  {"Sid": "read", "Effect": "Allow", "Principal": {{{{bobArn}}}}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{{{bucket}}}}/shared/*"},
                  {"Sid": "list", "Effect": "Allow", "Principal": {{{{bobArn}}}}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::{{{{bucket}}}}",
                   "Condition": {"StringLike": {"s3:prefix": "shared/*"}}}]}
                """;
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = grant });

            using (var read = await bob.GetObjectAsync(bucket, "shared/report.txt"))
            using (var reader = new StreamReader(read.ResponseStream))
            {
                Assert.Equal("quarterly", await reader.ReadToEndAsync());
            }
            var listed = await bob.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "shared/" });
            Assert.Equal(["shared/report.txt"], listed.S3Objects.Select(entry => entry.Key));
            // Outside what the policy names: refused.
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "private/diary.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            await AccessFixture.RefusedAsync(() => bob.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }), HttpStatusCode.Forbidden, "AccessDenied");
            await AccessFixture.RefusedAsync(() => bob.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "shared/x", ContentBody = "x" }),
                HttpStatusCode.Forbidden, "AccessDenied");
            Assert.DoesNotContain(bucket, (await bob.ListBucketsAsync()).Buckets?.Select(entry => entry.BucketName) ?? []);

            // An explicit Deny wins over the grant, and binds the owner as well.
            var denied = grant.Replace("]}", $$""", {"Sid": "lock", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{bucket}}/shared/*"}]}""",
                StringComparison.Ordinal);
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = denied });
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "shared/report.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            await AccessFixture.RefusedAsync(() => alice.GetObjectAsync(bucket, "shared/report.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            using (var rootRead = await Server.Client.GetObjectAsync(bucket, "shared/report.txt"))
            {
                Assert.Equal(HttpStatusCode.OK, rootRead.HttpStatusCode); // root is above policies
            }

            Assert.Equal(denied, (await alice.GetBucketPolicyAsync(bucket)).Policy);
            await alice.DeleteBucketPolicyAsync(bucket);
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "shared/report.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            using var again = await alice.GetObjectAsync(bucket, "shared/report.txt");
            Assert.Equal(HttpStatusCode.OK, again.HttpStatusCode);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_key_is_404_only_to_a_caller_who_may_list_the_bucket_and_403_to_others()
    {
        var (alice, bob, bobName, bucket) = await TwoUsersAsync();
        using (alice)
        using (bob)
        {
            var bobArn = $$"""{"AWS": "arn:aws:iam:::user/{{bobName}}"}""";
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest
            {
                BucketName = bucket,
                Policy = Grant("Allow", bobArn, "\"s3:GetObject\"", $"\"arn:aws:s3:::{bucket}/*\""),
            });

            // Bob may read every object but not list: a key that is not there looks like one he may not read.
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "no-such-key"), HttpStatusCode.Forbidden, "AccessDenied");
            var head = await Assert.ThrowsAsync<AmazonS3Exception>(() => bob.GetObjectMetadataAsync(bucket, "no-such-key"));
            Assert.Equal(HttpStatusCode.Forbidden, head.StatusCode);
            using (var present = await bob.GetObjectAsync(bucket, "shared/report.txt"))
            {
                Assert.Equal(HttpStatusCode.OK, present.HttpStatusCode);
            }
            // The owner may list: 404.
            await AccessFixture.RefusedAsync(() => alice.GetObjectAsync(bucket, "no-such-key"), HttpStatusCode.NotFound, "NoSuchKey");

            // Once Bob may list too, he gets 404 as well.
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest
            {
                BucketName = bucket,
                Policy = Grant("Allow", bobArn, "[\"s3:GetObject\", \"s3:ListBucket\"]", $"[\"arn:aws:s3:::{bucket}/*\", \"arn:aws:s3:::{bucket}\"]"),
            });
            await AccessFixture.RefusedAsync(() => bob.GetObjectAsync(bucket, "no-such-key"), HttpStatusCode.NotFound, "NoSuchKey");
            var listedHead = await Assert.ThrowsAsync<AmazonS3Exception>(() => bob.GetObjectMetadataAsync(bucket, "no-such-key"));
            Assert.Equal(HttpStatusCode.NotFound, listedHead.StatusCode);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Anonymous_GET_of_an_object_a_policy_makes_public_works_with_curl_and_nothing_else_is_public()
    {
        var (alice, bob, _, bucket) = await TwoUsersAsync();
        using (alice)
        using (bob)
        {
            var url = $"{Server.Endpoint}/{bucket}/shared/report.txt";
            Assert.Equal(("403", ""), await CurlAsync(url));
            await AccessFixture.RefusedAsync(() => alice.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket }),
                HttpStatusCode.NotFound, "NoSuchBucketPolicy");

            var publicRead = new PutBucketPolicyRequest
            {
                BucketName = bucket,
                Policy = Grant("Allow", "\"*\"", "\"s3:GetObject\"", $"\"arn:aws:s3:::{bucket}/shared/*\""),
            };
            // New buckets block public policies, as on AWS: the owner lifts the block first.
            var blocked = await AccessFixture.RefusedAsync(() => alice.PutBucketPolicyAsync(publicRead), HttpStatusCode.Forbidden, "AccessDenied");
            Assert.Contains("BlockPublicPolicy", blocked.Message, StringComparison.Ordinal);
            await AssertNoPolicyAsync(alice, bucket, "NoSuchBucketPolicy");
            await alice.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
            await alice.PutBucketPolicyAsync(publicRead);

            Assert.Equal(("200", "quarterly"), await CurlAsync(url));
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}/private/diary.txt")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}?list-type=2")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}/shared/new.txt", "-X", "PUT", "--data-binary", "anonymous")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/_cairn/users")).Status);
            Assert.True((await alice.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket })).PolicyStatus.IsPublic);
            var listing = await alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
            Assert.Equal(["private/diary.txt", "shared/report.txt"], listing.S3Objects.Select(entry => entry.Key));

            // RestrictPublicBuckets: the public policy stays, and grants anonymous callers nothing.
            await alice.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
            {
                BucketName = bucket,
                PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { RestrictPublicBuckets = true },
            });
            Assert.Equal("403", (await CurlAsync(url)).Status);
            Assert.True((await alice.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket })).PolicyStatus.IsPublic);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task The_policy_is_the_owners_alone_whatever_it_grants_and_a_Deny_never_locks_the_owner_out_of_it()
    {
        var (alice, bob, _, bucket) = await TwoUsersAsync();
        using (alice)
        using (bob)
        {
            var everything = $$"""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::{{bucket}}", "arn:aws:s3:::{{bucket}}/*"]}]}""";
            await alice.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = everything });

            // Everyone may read and write objects now, but not take the policy over.
            Assert.Equal("200", (await CurlAsync($"{Server.Endpoint}/{bucket}/shared/report.txt")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}?policy", "-X", "PUT", "--data-binary", "{}")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}?policy", "-X", "DELETE")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}?policy")).Status);
            Assert.Equal("403", (await CurlAsync($"{Server.Endpoint}/{bucket}?publicAccessBlock", "-X", "DELETE")).Status);
            await AccessFixture.RefusedAsync(() => bob.DeleteBucketPolicyAsync(bucket), HttpStatusCode.Forbidden, "AccessDenied");
            await AccessFixture.RefusedAsync(() => bob.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = everything }),
                HttpStatusCode.Forbidden, "AccessDenied");
            Assert.Equal(everything, (await alice.GetBucketPolicyAsync(bucket)).Policy);

            // A Deny of everything to everyone binds the owner's objects, never the owner's policy.
            var lockedOut = $$"""{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::{{bucket}}", "arn:aws:s3:::{{bucket}}/*"]}]}""";
            await alice.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = lockedOut });
            await AccessFixture.RefusedAsync(() => alice.GetObjectAsync(bucket, "shared/report.txt"), HttpStatusCode.Forbidden, "AccessDenied");
            Assert.Equal(lockedOut, (await alice.GetBucketPolicyAsync(bucket)).Policy);
            await alice.DeleteBucketPolicyAsync(bucket);
            using var read = await alice.GetObjectAsync(bucket, "shared/report.txt");
            Assert.Equal(HttpStatusCode.OK, read.HttpStatusCode);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Lifting_governance_retention_needs_BypassGovernanceRetention_besides_the_delete()
    {
        var alice = await fixture.AddUserAsync("alice");
        var bob = await fixture.AddUserAsync("bob");
        using var aliceClient = Server.CreateClient(accessKey: alice.AccessKey, secretKey: alice.SecretKey);
        using var bobClient = Server.CreateClient(accessKey: bob.AccessKey, secretKey: bob.SecretKey);
        var bucket = CairnServer.NewBucketName("locked");
        await aliceClient.PutBucketAsync(new PutBucketRequest { BucketName = bucket, ObjectLockEnabledForBucket = true });
        var put = await aliceClient.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = "ledger.csv",
            ContentBody = "1,2,3",
            ObjectLockMode = ObjectLockMode.Governance,
            ObjectLockRetainUntilDate = DateTime.UtcNow.AddDays(1),
        });
        string Grant(params string[] actions)
        {
            var list = string.Join(", ", actions.Select(action => "\"" + action + "\""));
            return $$"""{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam:::user/{{bob.Name}}"}, "Action": [{{list}}], "Resource": "arn:aws:s3:::{{bucket}}/*"}]}""";
        }
        var delete = new DeleteObjectRequest { BucketName = bucket, Key = "ledger.csv", VersionId = put.VersionId, BypassGovernanceRetention = true };

        await aliceClient.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = Grant("s3:DeleteObjectVersion") });
        await AccessFixture.RefusedAsync(() => bobClient.DeleteObjectAsync(delete), HttpStatusCode.Forbidden, "AccessDenied");
        Assert.Single((await aliceClient.ListVersionsAsync(bucket)).Versions);

        await aliceClient.PutBucketPolicyAsync(new PutBucketPolicyRequest
        {
            BucketName = bucket,
            Policy = Grant("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"),
        });
        await bobClient.DeleteObjectAsync(delete);
        Assert.Empty((await aliceClient.ListVersionsAsync(bucket)).Versions ?? []);
    }

    [Fact(Timeout = 60_000)]
    public async Task Bad_policies_are_MalformedPolicy_missing_ones_NoSuchBucketPolicy_and_nothing_changes()
    {
        var bucket = CairnServer.NewBucketName("badpolicy");
        var client = Server.Client;
        await client.PutBucketAsync(bucket);
        await AssertNoPolicyAsync(client, bucket, "NoSuchBucketPolicy");
        var good = Grant("Allow", "\"*\"", "\"s3:GetObject\"", $"\"arn:aws:s3:::{bucket}/*\"");
        await client.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        await client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = good });

        foreach (var (policy, message) in new[]
        {
            ("{not json", "Policies must be valid JSON and the first byte must be '{'"),
            (Grant("Allow", "\"*\"", "\"s3:GetObject\"", "\"arn:aws:s3:::some-other-bucket/*\""), "Policy has invalid resource"),
            (Grant("Allow", "\"*\"", "\"iam:CreateUser\"", $"\"arn:aws:s3:::{bucket}/*\""), "Policy has invalid action"),
            (Grant("Allow", "\"nobody\"", "\"s3:GetObject\"", $"\"arn:aws:s3:::{bucket}/*\""), "Invalid principal in policy"),
            (Grant("Perhaps", "\"*\"", "\"s3:GetObject\"", $"\"arn:aws:s3:::{bucket}/*\""), "Invalid effect: Perhaps"),
        })
        {
            var error = await AccessFixture.RefusedAsync(() => client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy }),
                HttpStatusCode.BadRequest, "MalformedPolicy");
            Assert.Equal(message, error.Message);
        }

        Assert.Equal(good, (await client.GetBucketPolicyAsync(bucket)).Policy);
        var missing = CairnServer.NewBucketName("nobucket");
        await AccessFixture.RefusedAsync(() => client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = missing, Policy = good.Replace(bucket, missing, StringComparison.Ordinal) }),
            HttpStatusCode.NotFound, "NoSuchBucket");
        await AssertNoPolicyAsync(client, missing, "NoSuchBucket");
        await client.DeleteBucketPolicyAsync(bucket);
        await client.DeleteBucketPolicyAsync(bucket); // deleting none is done too, as on S3
        await AssertNoPolicyAsync(client, bucket, "NoSuchBucketPolicy");
    }

    /// <summary>
    /// GetBucketPolicy answered with an error: the AWS SDK for .NET does not throw for it, it hands the
    /// error document over as the policy text (its unmarshaller reads any body as the policy).
    /// </summary>
    private static async Task AssertNoPolicyAsync(AmazonS3Client client, string bucket, string code)
    {
        var answer = await client.GetBucketPolicyAsync(bucket);
        Assert.Contains($"<Code>{code}</Code>", answer.Policy, StringComparison.Ordinal);
    }

    /// <summary>An unsigned request with the curl tool: its status and body.</summary>
    private static async Task<(string Status, string Body)> CurlAsync(string url, params string[] extra)
    {
        var start = new ProcessStartInfo("curl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-s", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}" }.Concat(extra).Append(url))
        {
            start.ArgumentList.Add(argument);
        }
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var newline = output.LastIndexOf('\n');
        var status = output[(newline + 1)..];
        var body = output[..newline];
        return (status, status == "200" ? body : "");
    }
}
