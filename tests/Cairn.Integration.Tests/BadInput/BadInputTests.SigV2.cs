namespace Cairn.Integration.Tests.BadInput;

/// <summary>
/// Signature Version 2 faults, and presigned X-Amz-Expires faults, on a PutObject that would otherwise store a
/// multi-chunk body: each gets S3's code, status and message, and the store is left as it was. The correct
/// forms are the "sigv2-*" and "presigned" controls in BadInputTests.Controls.cs.
/// </summary>
public sealed partial class BadInputTests
{
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_signed_with_SigV2_and_the_wrong_secret_returns_SignatureDoesNotMatch_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 40));
        new WireSigV2Signer(CairnServer.AccessKey, CairnServer.SecretKey + "x").SignHeaders(request, Now);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert: S3 names the string it signed, so a client can debug its signer.
        var error = S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        Assert.Equal(CairnServer.AccessKey, error.Element("AWSAccessKeyId")?.Value);
        Assert.Equal(WireSigV2Signer.StringToSign(request, request.Headers["date"]), error.Element("StringToSign")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_overwrite_signed_with_SigV2_for_another_key_returns_SignatureDoesNotMatch_and_keeps_the_old_body()
    {
        // Arrange: a signature made for "other" replayed on the existing key.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var signed = WithBody("PUT", WireSigner.PathOf(bucket, "other"), Bytes(LargeBodyLength, 41));
        SignerV2.SignHeaders(signed, Now);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "existing.bin"), signed.Body);
        request.Headers["date"] = signed.Headers["date"];
        request.Headers["Authorization"] = signed.Headers["Authorization"];

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 403, "SignatureDoesNotMatch");
        await AssertRefusedUpFrontAsync(before);
        var get = await GetAsync(bucket, "existing.bin");
        Assert.Equal(Bytes(LargeBodyLength, seed: 99), get.Body);
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_signed_with_SigV2_and_an_unknown_access_key_returns_InvalidAccessKeyId_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 42));
        new WireSigV2Signer("AKIDUNKNOWN000000000", CairnServer.SecretKey).SignHeaders(request, Now);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "InvalidAccessKeyId");
        Assert.Equal("AKIDUNKNOWN000000000", error.Element("AWSAccessKeyId")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_signed_with_SigV2_dated_20_minutes_ago_returns_RequestTimeTooSkewed_and_changes_nothing()
    {
        // Arrange: correctly signed, but S3 allows 15 minutes of skew for the header form.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 43));
        SignerV2.SignHeaders(request, Now.AddMinutes(-20));

        // Act
        var response = await Wire.SendAsync(request);

        // Assert: the request time is named as it was sent.
        var error = S3ErrorAssert.Error(response, 403, "RequestTimeTooSkewed");
        Assert.Equal(request.Headers["date"], error.Element("RequestTime")?.Value);
        Assert.Equal("900000", error.Element("MaxAllowedSkewMilliseconds")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_signed_with_SigV2_without_a_date_returns_AccessDenied_and_changes_nothing()
    {
        // Arrange: signed over an empty Date line, then sent without Date.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 44));
        SignerV2.SignHeaders(request, Now);
        request.Headers.Remove("date");

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("AWS authentication requires a valid Date or x-amz-date header", error.Element("Message")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("AWS AKIDCAIRNTEST0000001", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")]
    [InlineData("AWS AKIDCAIRNTEST0000001:a:b", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")]
    [InlineData("AWS  AKIDCAIRNTEST0000001:abc=", "Authorization header is invalid -- one and only one ' ' (space) required")]
    public async Task PutObject_with_a_malformed_SigV2_header_returns_InvalidArgument_and_changes_nothing(string authorization, string message)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 45));
        SignerV2.SignHeaders(request, Now);
        request.Headers["Authorization"] = authorization;

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "InvalidArgument");
        Assert.Equal(message, error.Element("Message")?.Value);
        Assert.Equal("Authorization", error.Element("ArgumentName")?.Value);
        Assert.Equal(authorization, error.Element("ArgumentValue")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_with_an_expired_SigV2_presigned_url_returns_AccessDenied_and_changes_nothing()
    {
        // Arrange: Expires a minute ago.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 46));
        var expires = Now.AddMinutes(-1).ToUnixTimeSeconds();
        SignerV2.Presign(request, expires);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("Request has expired", error.Element("Message")?.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(expires).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            error.Element("Expires")?.Value);
        Assert.NotNull(error.Element("ServerTime"));
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("tomorrow")]
    [InlineData("1e10")]
    [InlineData("2147483648")]
    public async Task PutObject_with_a_SigV2_presigned_url_whose_Expires_is_not_epoch_seconds_returns_AccessDenied_and_changes_nothing(string expires)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 47));
        SignerV2.Presign(request, 1_900_000_000);
        request.Query = request.Query.Replace("Expires=1900000000", "Expires=" + expires, StringComparison.Ordinal);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("Invalid date (should be seconds since epoch): " + expires, error.Element("Message")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("Expires")]
    [InlineData("AWSAccessKeyId")]
    public async Task PutObject_with_a_SigV2_presigned_url_missing_a_parameter_returns_AccessDenied_and_changes_nothing(string parameter)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 48));
        SignerV2.Presign(request, Now.AddMinutes(5).ToUnixTimeSeconds());
        request.Query = string.Join('&', request.Query.Split('&').Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal)));

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", error.Element("Message")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_with_a_SigV2_presigned_url_and_an_Authorization_header_returns_InvalidArgument_and_changes_nothing()
    {
        // Arrange: each half correct on its own.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 49));
        SignerV2.SignHeaders(request, Now);
        SignerV2.Presign(request, Now.AddMinutes(5).ToUnixTimeSeconds());

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "InvalidArgument");
        Assert.StartsWith("Only one auth mechanism allowed", error.Element("Message")?.Value, StringComparison.Ordinal);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task PutObject_with_presigned_expiry_of_zero_returns_AccessDenied_Request_has_expired_and_changes_nothing()
    {
        // Arrange: S3 takes X-Amz-Expires=0 as a number, so the URL expired the moment it was signed.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 50));
        Signer.Presign(request, Now.AddSeconds(-1), expiresSeconds: 0);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 403, "AccessDenied");
        Assert.Equal("Request has expired", error.Element("Message")?.Value);
        Assert.Equal("0", error.Element("X-Amz-Expires")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Theory(Timeout = 30_000)]
    [Trait("Issue", "10")]
    [InlineData("-1", "X-Amz-Expires must be non-negative")]
    [InlineData("soon", "X-Amz-Expires should be a number")]
    [InlineData("604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")]
    public async Task PutObject_with_presigned_expiry_negative_not_a_number_or_over_a_week_returns_AuthorizationQueryParametersError_and_changes_nothing(
        string expires, string message)
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), Bytes(LargeBodyLength, 51));
        Signer.Presign(request, Now, expiresSeconds: 300);
        request.Query = request.Query.Replace("X-Amz-Expires=300", "X-Amz-Expires=" + expires, StringComparison.Ordinal);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        var error = S3ErrorAssert.Error(response, 400, "AuthorizationQueryParametersError");
        Assert.Equal(message, error.Element("Message")?.Value);
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}
