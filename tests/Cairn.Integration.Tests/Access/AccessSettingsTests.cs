using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// A bucket's access settings besides its policy (issue 14), with the AWS SDK: Block Public Access on
/// by default and its calls; object ownership BucketOwnerEnforced (ACLs disabled, as AWS makes new
/// buckets); the ACL calls answering the owner's FULL_CONTROL and refusing any other ACL as S3 does.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class AccessSettingsTests(AccessFixture fixture)
{
    private CairnServer Server => fixture.Server;


    [Fact(Timeout = 60_000)]
    public async Task Block_Public_Access_is_on_for_a_new_bucket_and_is_put_read_and_deleted()
    {
        var s3 = Server.Client;
        var bucket = CairnServer.NewBucketName("pab");
        await s3.PutBucketAsync(bucket);

        var initial = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration;
        Assert.Equal((true, true, true, true), (initial.BlockPublicAcls, initial.IgnorePublicAcls, initial.BlockPublicPolicy, initial.RestrictPublicBuckets));

        await s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicPolicy = true, IgnorePublicAcls = true },
        });
        var put = (await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration;
        Assert.Equal((false, true, true, false), (put.BlockPublicAcls, put.IgnorePublicAcls, put.BlockPublicPolicy, put.RestrictPublicBuckets));

        await s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        await AccessFixture.RefusedAsync(() => s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket }),
            HttpStatusCode.NotFound, "NoSuchPublicAccessBlockConfiguration");
        var missing = CairnServer.NewBucketName("nopab");
        await AccessFixture.RefusedAsync(() => s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = missing }), HttpStatusCode.NotFound, "NoSuchBucket");
        await AccessFixture.RefusedAsync(() => s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = missing,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration(),
        }), HttpStatusCode.NotFound, "NoSuchBucket");
    }

    [Fact(Timeout = 60_000)]
    public async Task Objects_are_the_bucket_owners_ACLs_show_that_and_any_other_ACL_is_refused()
    {
        var alice = await fixture.AddUserAsync("alice");
        using var s3 = Server.CreateClient(accessKey: alice.AccessKey, secretKey: alice.SecretKey);
        var bucket = CairnServer.NewBucketName("acl");
        await s3.PutBucketAsync(bucket);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a.txt", ContentBody = "a" });

        var ownership = await s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = bucket });
        Assert.Equal("BucketOwnerEnforced", Assert.Single(ownership.OwnershipControls.Rules).ObjectOwnership.Value);
        await s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = bucket,
            OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.BucketOwnerEnforced }] },
        });
        await AccessFixture.RefusedAsync(() => s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = bucket,
            OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.ObjectWriter }] },
        }), HttpStatusCode.NotImplemented, "NotImplemented");

        var bucketAcl = await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket });
        var grant = Assert.Single(bucketAcl.Grants);
        Assert.Equal((S3Permission.FULL_CONTROL, bucketAcl.Owner.Id), (grant.Permission, grant.Grantee.CanonicalUser));
        Assert.Equal(alice.Name, bucketAcl.Owner.DisplayName);
        var objectAcl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "a.txt" });
        Assert.Equal(bucketAcl.Owner.Id, Assert.Single(objectAcl.Grants).Grantee.CanonicalUser);
        await AccessFixture.RefusedAsync(() => s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "absent" }), HttpStatusCode.NotFound, "NoSuchKey");

        // An ACL that changes nothing is accepted; one that grants anything is not.
        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.Private });
        await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "a.txt", ACL = S3CannedACL.BucketOwnerFullControl });
        await AccessFixture.RefusedAsync(() => s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead }),
            HttpStatusCode.BadRequest, "AccessControlListNotSupported");
        await AccessFixture.RefusedAsync(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "a.txt", ACL = S3CannedACL.PublicReadWrite }),
            HttpStatusCode.BadRequest, "AccessControlListNotSupported");
        var everyone = new S3AccessControlList { Owner = bucketAcl.Owner };
        everyone.AddGrant(new S3Grantee { URI = "http://acs.amazonaws.com/groups/global/AllUsers" }, S3Permission.READ);
        await AccessFixture.RefusedAsync(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "a.txt", AccessControlPolicy = everyone }),
            HttpStatusCode.BadRequest, "AccessControlListNotSupported");

        // Nothing was opened to anonymous callers.
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"{Server.Endpoint}/{bucket}/a.txt")).StatusCode);
    }
}
