using System.Globalization;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// Signature Version 2 through the one verifier: AWS's published examples, URLs and headers signed by botocore
/// (the AWS CLI v1's signer), requests signed by <see cref="TestSigV2Signer"/>, and each refusal with S3's
/// code, status and message.
/// </summary>
[Trait("Issue", "10")]
public sealed class SigV2VerifierTests
{
    private const string AccessKey = TestSigner.AccessKey;

    /// <summary>2013-05-24T00:00:00Z, the time the botocore vectors were signed at.</summary>
    private static readonly DateTimeOffset SignedAt = TestSigner.VectorTime;

    private readonly FakeTimeProvider _clock = new(SignedAt);
    private readonly SigV4Verifier _verifier;

    public SigV2VerifierTests()
    {
        var credentials = new InMemoryCredentialStore().Add(TestSigner.AccessKey, TestSigner.SecretKey);
        _verifier = new SigV4Verifier(credentials, "us-east-1", _clock);
    }

    /// <summary>
    /// The examples of AWS's SigV2 page, with the credentials it uses (the same as TestSigner's). The page's
    /// "Delete" example is left out: its string to sign puts x-amz-date on the Date line, against the page's own
    /// rule (an empty Date line, x-amz-date among the x-amz-* headers), which S3 follows and so does Cairn.
    /// </summary>
    [Theory]
    [InlineData("GET", "/photos/puppy.jpg", "", "awsexamplebucket1", "Tue, 27 Mar 2007 19:36:42 +0000", "", "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")]
    [InlineData("PUT", "/photos/puppy.jpg", "", "awsexamplebucket1", "Tue, 27 Mar 2007 21:15:45 +0000", "image/jpeg", "iqRzw+ileNPu1fhspnRs8nOjjIA=")]
    [InlineData("GET", "/", "prefix=photos&max-keys=50&marker=puppy", "awsexamplebucket1", "Tue, 27 Mar 2007 19:42:41 +0000", "", "m0WP8eCtspQl5Ahe6L1SozdX9YA=")]
    [InlineData("GET", "/", "acl", "awsexamplebucket1", "Tue, 27 Mar 2007 19:44:46 +0000", "", "82ZHiFIjc+WbcwFKGUVEQspPn+0=")]
    [InlineData("GET", "/", "", null, "Wed, 28 Mar 2007 01:29:59 +0000", "", "qGdzdERIC03wnaRNKh6OqZehG9s=")]
    [InlineData("GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "", null, "Wed, 28 Mar 2007 01:49:49 +0000", "", "DNEZGsoieTZ92F3bUfSPQcbGmlM=")]
    public void Aws_examples_in_the_header_form_verify(string method, string rawPath, string rawQuery, string? virtualHostBucket,
        string date, string contentType, string signature)
    {
        // Arrange
        _clock.Set(DateTimeOffset.Parse(date, CultureInfo.InvariantCulture));
        var headers = new HeaderDictionary { ["Date"] = date, ["Authorization"] = $"AWS {AccessKey}:{signature}" };
        if (contentType.Length > 0)
        {
            headers["Content-Type"] = contentType;
        }

        // Act
        var result = _verifier.Verify(new SigV4Request(method, rawPath, rawQuery, headers) { VirtualHostBucket = virtualHostBucket });

        // Assert
        Assert.Equal(AccessKey, result.Principal.AccessKeyId);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
        Assert.False(result.IsPresigned);
    }

    [Fact]
    public void Botocore_presigned_GET_with_a_response_override_verifies()
    {
        // Arrange: botocore 1.43 HmacV1QueryAuth (what `aws s3 presign` uses in CLI v1) at 2013-05-24T00:00:00Z, 3600 s.
        const string Query = "response-content-disposition=attachment%3B%20filename%3D%22p.jpg%22&AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE"
            + "&Signature=KNp%2F4%2FbNku%2FuhT6aJFRa%2FEAPEDQ%3D&Expires=1369357200";
        var expected = TestSigV2Signer.StringToSign("GET", "", "", "1369357200", [],
            "/examplebucket/photos/puppy.jpg?response-content-disposition=attachment; filename=\"p.jpg\"");

        // Act
        var result = _verifier.Verify(new SigV4Request("GET", "/examplebucket/photos/puppy.jpg", Query, new HeaderDictionary()));

        // Assert: and the independent signer agrees with botocore, so the two checks are one claim.
        Assert.True(result.IsPresigned);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
        Assert.Equal("KNp/4/bNku/uhT6aJFRa/EAPEDQ=", TestSigV2Signer.Sign(expected));
    }

    [Fact]
    public void Botocore_presigned_URL_with_a_security_token_in_the_query_verifies()
    {
        // botocore moves x-amz-* headers into a presigned URL and signs them as headers.
        const string Query = "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=GueCVShodn6kaUyHRzwcovAYGsE%3D"
            + "&x-amz-security-token=TOKEN%2Fwith%2Bchars&Expires=1369353660";

        var result = _verifier.Verify(new SigV4Request("GET", "/examplebucket/k", Query, new HeaderDictionary()));

        Assert.True(result.IsPresigned);
    }

    [Fact]
    public void Botocore_header_signed_PUT_with_Content_MD5_and_metadata_verifies()
    {
        // Arrange: botocore 1.43 HmacV1Auth (signature_version 's3') at 2013-05-24T00:00:00Z.
        var headers = new HeaderDictionary
        {
            ["Content-Type"] = "image/jpeg",
            ["x-amz-meta-Reviewed-By"] = "joe",
            ["Content-MD5"] = "1B2M2Y8AsgTpgAmY7PhCfg==",
            ["Date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["Authorization"] = "AWS AKIAIOSFODNN7EXAMPLE:jXYsppsUlAXDXp3VsvOhJ6Odulc=",
        };
        var expected = TestSigV2Signer.StringToSign("PUT", "1B2M2Y8AsgTpgAmY7PhCfg==", "image/jpeg", "Fri, 24 May 2013 00:00:00 GMT",
            ["x-amz-meta-reviewed-by:joe"], "/examplebucket/photos/puppy.jpg");

        // Act
        var result = _verifier.Verify(new SigV4Request("PUT", "/examplebucket/photos/puppy.jpg", "", headers));

        // Assert
        Assert.False(result.IsPresigned);
        Assert.Equal("jXYsppsUlAXDXp3VsvOhJ6Odulc=", TestSigV2Signer.Sign(expected));
    }

    [Fact]
    public void Authentication_sigv2_with_x_amz_date_signs_an_empty_Date_line_and_the_header_among_the_amz_headers()
    {
        // Arrange: the Date header is stale and ignored; x-amz-date is the request time.
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("DELETE", "", "", "",
            ["x-amz-date:Fri, 24 May 2013 00:00:00 GMT"], "/bucket/photos/puppy.jpg"));
        var headers = new HeaderDictionary
        {
            ["Date"] = "Mon, 01 Jan 2001 00:00:00 GMT",
            ["X-Amz-Date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["Authorization"] = $"AWS {AccessKey}:{signature}",
        };

        // Act
        var result = _verifier.Verify(new SigV4Request("DELETE", "/bucket/photos/puppy.jpg", "", headers));

        // Assert
        Assert.Equal(AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_sigv2_signs_sub_resources_sorted_and_decoded_and_leaves_other_parameters_out()
    {
        // Arrange
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("PUT", "", "", "Fri, 24 May 2013 00:00:00 GMT", [],
            "/bucket/key?partNumber=3&uploadId=abc/def"));
        var headers = Dated(signature);

        // Act
        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "uploadId=abc%2Fdef&x-id=UploadPart&partNumber=3", headers));

        // Assert
        Assert.Equal(AccessKey, result.Principal.AccessKeyId);
    }

    [Theory]
    [InlineData("uploads")]
    [InlineData("uploads=")]
    public void Authentication_sigv2_signs_a_sub_resource_without_a_value_by_its_name(string rawQuery)
    {
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("POST", "", "", "Fri, 24 May 2013 00:00:00 GMT", [],
            "/bucket/key?uploads"));

        var result = _verifier.Verify(new SigV4Request("POST", "/bucket/key", rawQuery, Dated(signature)));

        Assert.Equal(AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_sigv2_virtual_hosted_request_signs_the_bucket_in_front_of_the_path()
    {
        // Arrange
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key"));

        // Act
        var virtualHosted = _verifier.Verify(new SigV4Request("GET", "/key", "", Dated(signature)) { VirtualHostBucket = "bucket" });
        var error = VerifyFails(new SigV4Request("GET", "/key", "", Dated(signature)));

        // Assert: the same path without the Host's bucket is another resource.
        Assert.Equal(AccessKey, virtualHosted.Principal.AccessKeyId);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Authentication_sigv2_joins_repeated_amz_headers_lower_cases_and_sorts_them()
    {
        // Arrange: AWS's example of two x-amz-meta-username headers.
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("PUT", "", "", "Fri, 24 May 2013 00:00:00 GMT",
            ["x-amz-acl:public-read", "x-amz-meta-username:fred,barney"], "/bucket/key"));
        var headers = Dated(signature);
        headers["X-Amz-Meta-Username"] = new StringValues(["fred", "barney"]);
        headers["x-amz-acl"] = "public-read";

        // Act
        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "", headers));

        // Assert
        Assert.Equal(AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_sigv2_scheme_is_matched_without_case()
    {
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key"));
        var headers = Dated(signature);
        headers["Authorization"] = $"aws {AccessKey}:{signature}";

        Assert.Equal(AccessKey, _verifier.Verify(new SigV4Request("GET", "/bucket/key", "", headers)).Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_sigv2_with_the_wrong_secret_returns_SignatureDoesNotMatch_naming_the_string_to_sign()
    {
        // Arrange
        var expected = TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key");
        var headers = Dated(TestSigV2Signer.Sign(expected, TestSigner.SecretKey + "x"));

        // Act
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        // Assert
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("AWSAccessKeyId", AccessKey), error.Details);
        Assert.Contains(new KeyValuePair<string, string>("StringToSign", expected), error.Details);
        Assert.Contains(error.Details, d => d.Key == "StringToSignBytes" && d.Value.StartsWith("47 45 54 0a 0a 0a 46 72 69", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/bucket/other-key", "")]
    [InlineData("/bucket/key", "acl")]
    [InlineData("/bucket/key", "versionId=2")]
    public void Authentication_sigv2_signature_for_another_resource_returns_SignatureDoesNotMatch(string rawPath, string rawQuery)
    {
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key"));

        var error = VerifyFails(new SigV4Request("GET", rawPath, rawQuery, Dated(signature)));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Authentication_sigv2_with_a_signature_that_is_not_20_bytes_of_base64_returns_SignatureDoesNotMatch(string signature)
    {
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", Dated(signature)));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Authentication_sigv2_with_an_unknown_access_key_returns_InvalidAccessKeyId()
    {
        var headers = Dated(TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key")));
        headers["Authorization"] = headers["Authorization"].ToString().Replace(AccessKey, "AKIDUNKNOWN", StringComparison.Ordinal);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidAccessKeyId, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("AWSAccessKeyId", "AKIDUNKNOWN"), error.Details);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("yesterday", null)]
    [InlineData("Fri, 24 May 2013 00:00:00 GMT", "yesterday")] // x-amz-date wins, readable or not
    public void Authentication_sigv2_without_a_readable_date_returns_AccessDenied(string? date, string? amzDate)
    {
        // Arrange
        var headers = new HeaderDictionary { ["Authorization"] = $"AWS {AccessKey}:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=" };
        if (date is not null)
        {
            headers["Date"] = date;
        }
        if (amzDate is not null)
        {
            headers["x-amz-date"] = amzDate;
        }

        // Act
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        // Assert
        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("AWS authentication requires a valid Date or x-amz-date header", error.Message);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public void Authentication_sigv2_header_dated_over_15_minutes_from_the_server_clock_returns_RequestTimeTooSkewed(int minutes)
    {
        // Arrange: correctly signed; the skew check comes before the key and the signature.
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key"));
        _clock.Set(SignedAt.AddMinutes(minutes));

        // Act
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", Dated(signature)));

        // Assert
        Assert.Equal(S3ErrorCode.RequestTimeTooSkewed, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("RequestTime", "Fri, 24 May 2013 00:00:00 GMT"), error.Details);
        Assert.Contains(new KeyValuePair<string, string>("ServerTime", SignedAt.AddMinutes(minutes).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), error.Details);
    }

    [Theory]
    [InlineData(-14)]
    [InlineData(14)]
    public void Authentication_sigv2_header_dated_within_15_minutes_is_accepted(int minutes)
    {
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", "Fri, 24 May 2013 00:00:00 GMT", [], "/bucket/key"));
        _clock.Set(SignedAt.AddMinutes(minutes));

        Assert.Equal(AccessKey, _verifier.Verify(new SigV4Request("GET", "/bucket/key", "", Dated(signature))).Principal.AccessKeyId);
    }

    [Theory]
    [InlineData("AWS AKIAIOSFODNN7EXAMPLE")]
    [InlineData("AWS AKIAIOSFODNN7EXAMPLE:")]
    [InlineData("AWS AKIAIOSFODNN7EXAMPLE:abc:def")]
    public void Authentication_sigv2_header_not_of_the_form_key_colon_signature_returns_InvalidArgument(string authorization)
    {
        var headers = Dated("unused");
        headers["Authorization"] = authorization;

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal("AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", error.Message);
        Assert.Equal([new("ArgumentName", "Authorization"), new("ArgumentValue", authorization)], error.Details);
    }

    [Theory]
    [InlineData("AWS  AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")]
    [InlineData("AWS")]
    public void Authentication_sigv2_header_without_exactly_one_space_after_the_scheme_returns_InvalidArgument(string authorization)
    {
        var headers = Dated("unused");
        headers["Authorization"] = authorization;

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
        Assert.Equal("Authorization header is invalid -- one and only one ' ' (space) required", error.Message);
    }

    [Fact]
    public void Authentication_sigv2_query_signed_by_the_test_signer_verifies_until_its_last_second()
    {
        // Arrange
        var query = PresignV2("/bucket/key", expires: 1369353600 + 60);
        _clock.Set(SignedAt.AddSeconds(60));

        // Act
        var result = _verifier.Verify(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        // Assert
        Assert.True(result.IsPresigned);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Authentication_sigv2_query_expiring_years_ahead_is_accepted_as_S3_has_no_limit_for_it()
    {
        var query = PresignV2("/bucket/key", expires: SignedAt.AddYears(10).ToUnixTimeSeconds());

        Assert.True(_verifier.Verify(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary())).IsPresigned);
    }

    [Fact]
    public void Authentication_sigv2_query_past_Expires_returns_AccessDenied_Request_has_expired()
    {
        // Arrange
        var query = PresignV2("/bucket/key", expires: 1369353600 + 60);
        _clock.Set(SignedAt.AddSeconds(61));

        // Act
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        // Assert
        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Request has expired", error.Message);
        Assert.Equal([new("Expires", "2013-05-24T00:01:00Z"), new("ServerTime", "2013-05-24T00:01:01Z")], error.Details);
    }

    [Fact]
    public void Authentication_sigv2_query_past_Expires_with_an_unknown_key_still_returns_Request_has_expired()
    {
        var query = PresignV2("/bucket/key", expires: 1369353600 - 1).Replace(AccessKey, "AKIDUNKNOWN", StringComparison.Ordinal);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        Assert.Equal("Request has expired", error.Message);
    }

    [Theory]
    [InlineData("AWSAccessKeyId")]
    [InlineData("Expires")]
    public void Authentication_sigv2_query_without_a_required_parameter_returns_AccessDenied(string parameter)
    {
        var query = string.Join('&', PresignV2("/bucket/key", expires: 1369353660).Split('&').Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal)));

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", error.Message);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("1e9")]
    [InlineData("%201369353660")]
    [InlineData("2147483648")]
    [InlineData("")]
    public void Authentication_sigv2_query_with_Expires_not_seconds_since_the_epoch_returns_AccessDenied(string expires)
    {
        var query = PresignV2("/bucket/key", expires: 1369353660).Replace("Expires=1369353660", "Expires=" + expires, StringComparison.Ordinal);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Invalid date (should be seconds since epoch): " + Uri.UnescapeDataString(expires), error.Message);
    }

    [Fact]
    public void Authentication_sigv2_query_with_an_unknown_access_key_returns_InvalidAccessKeyId()
    {
        var query = PresignV2("/bucket/key", expires: 1369353660).Replace(AccessKey, "AKIDUNKNOWN", StringComparison.Ordinal);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.InvalidAccessKeyId, error.Code);
    }

    [Theory]
    [InlineData("GET", "/bucket/other")]
    [InlineData("PUT", "/bucket/key")]
    public void Authentication_sigv2_query_used_for_another_request_returns_SignatureDoesNotMatch(string method, string rawPath)
    {
        var query = PresignV2("/bucket/key", expires: 1369353660);

        var error = VerifyFails(new SigV4Request(method, rawPath, query, new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
        Assert.Equal(403, error.StatusCode);
    }

    [Fact]
    public void Authentication_sigv2_query_beside_an_Authorization_header_returns_InvalidArgument()
    {
        var headers = Dated("qgk2+6Sv9/oM7G3qLEjTH1a1l1g=");

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", PresignV2("/bucket/key", expires: 1369353660), headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("ArgumentValue", headers["Authorization"].ToString()), error.Details);
    }

    [Fact]
    public void Authentication_sigv2_query_beside_sigv4_query_parameters_returns_InvalidArgument()
    {
        var query = TestSigner.Presign("/bucket/key", SignedAt, 60) + "&" + PresignV2("/bucket/key", expires: 1369353660);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
        Assert.Equal([new("ArgumentName", "Authorization")], error.Details);
    }

    [Fact]
    public void Authentication_with_AWSAccessKeyId_but_no_Signature_is_no_credential_and_returns_AccessDenied()
    {
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", $"AWSAccessKeyId={AccessKey}&Expires=1369353660", new HeaderDictionary()));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(S3ErrorCatalog.MessageOf(S3ErrorCode.AccessDenied), error.Message);
    }

    /// <summary>
    /// Query sub-resources of the S3 API reference (and a few that are not S3's), each tried on every method
    /// against a bucket and an object.
    /// </summary>
    public static TheoryData<string> QueryParameterNames =>
    [
        "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering", "inventory",
        "legal-hold", "lifecycle", "list-type", "location", "logging", "metadataConfiguration", "metadataTable", "metrics",
        "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
        "renameObject", "replication", "requestPayment", "restore", "retention", "select", "select-type", "session",
        "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website", "x-id", "prefix",
    ];

    [Theory]
    [MemberData(nameof(QueryParameterNames))]
    public void Every_query_parameter_that_changes_the_routed_operation_is_signed_by_SigV2(string name)
    {
        // A parameter SigV2 leaves unsigned can be added to a presigned URL by whoever holds it; it must not
        // change what the request does. ListObjects to ListObjectsV2 (list-type) is the same read.
        var parser = new S3RequestParser(baseDomain: null);
        foreach (var method in (string[])["GET", "HEAD", "PUT", "POST", "DELETE"])
        {
            foreach (var path in (string[])["/bucket", "/bucket/key"])
            {
                var without = Route(parser, method, path, "");
                var with = Route(parser, method, path, name + "=2");
                if (without != with && name != "list-type")
                {
                    Assert.True(SigV2StringToSign.IsSubResource(name), $"{method} {path}?{name} routes to {with}, not {without}, yet SigV2 does not sign {name}");
                }
            }
        }
    }

    private static string Route(S3RequestParser parser, string method, string path, string query)
    {
        try
        {
            var request = parser.Parse(method, path, query, "127.0.0.1", new HeaderDictionary());
            return request.Operation + " " + request.UnsupportedName;
        }
        catch (S3Exception ex)
        {
            return "error " + ex.Code;
        }
    }

    /// <summary>Headers dated 2013-05-24T00:00:00Z with <c>Authorization: AWS key:signature</c>.</summary>
    private static HeaderDictionary Dated(string signature) => new()
    {
        ["Date"] = "Fri, 24 May 2013 00:00:00 GMT",
        ["Authorization"] = $"AWS {AccessKey}:{signature}",
    };

    /// <summary>A SigV2 query string for a GET of <paramref name="canonicalResource"/>.</summary>
    private static string PresignV2(string canonicalResource, long expires)
    {
        var expiresText = expires.ToString(CultureInfo.InvariantCulture);
        var signature = TestSigV2Signer.Sign(TestSigV2Signer.StringToSign("GET", "", "", expiresText, [], canonicalResource));
        return $"AWSAccessKeyId={AccessKey}&Expires={expiresText}&Signature={Uri.EscapeDataString(signature)}";
    }

    private S3Exception VerifyFails(SigV4Request request) => Assert.Throws<S3Exception>(() => _verifier.Verify(request));
}
