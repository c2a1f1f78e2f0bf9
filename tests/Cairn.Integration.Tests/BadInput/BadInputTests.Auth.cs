
namespace Cairn.Integration.Tests.BadInput;

/// <summary>Authentication faults on a PutObject that would otherwise store a multi-chunk body.</summary>
/// <remarks>Codes and statuses: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList.</remarks>
public sealed partial class BadInputTests
{
    [Fact(Timeout = 30_000)]
    public async Task PutObject_signed_with_the_wrong_secret_returns_SignatureDoesNotMatch_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var wrongSecret = new WireSigner(CairnServer.AccessKey, CairnServer.SecretKey + "x", CairnServer.Region);

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 2)), signer: wrongSecret);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        Assert.Equal(CairnServer.AccessKey, error.Element("AWSAccessKeyId")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_an_unknown_access_key_returns_InvalidAccessKeyId_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var stranger = new WireSigner("AKIDUNKNOWN000000000", CairnServer.SecretKey, CairnServer.Region);

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 3)), signer: stranger);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "InvalidAccessKeyId");
        Assert.Equal("AKIDUNKNOWN000000000", error.Element("AWSAccessKeyId")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_without_credentials_returns_AccessDenied_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act: anonymous, as a browser or curl would send it.
        var response = await Wire.SendAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 4)));

        // Assert
        S3ErrorAssert.Error(response, 403, "AccessDenied");
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_an_expired_presigned_url_returns_AccessDenied_and_changes_nothing()
    {
        // Arrange: signed two hours ago, valid for one.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 5));
        Signer.Presign(request, Now.AddHours(-2), expiresSeconds: 3600);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("Request has expired", error.Element("Message")?.Value);
        Assert.Equal("3600", error.Element("X-Amz-Expires")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_presigned_expiry_over_seven_days_returns_AuthorizationQueryParametersError_and_changes_nothing()
    {
        // Arrange: 604800 s (7 days) is the longest S3 allows.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 6));
        Signer.Presign(request, Now, expiresSeconds: 604801);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "AuthorizationQueryParametersError");
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_dated_20_minutes_ago_returns_RequestTimeTooSkewed_and_changes_nothing()
    {
        // Arrange: correctly signed, but S3 allows 15 minutes of skew.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);

        // Act
        var response = await SendSignedAsync(WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 7)), time: Now.AddMinutes(-20));

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "RequestTimeTooSkewed");
        Assert.NotNull(error.Element("ServerTime"));
        Assert.NotNull(error.Element("RequestTime"));
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}
