using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Auth;

/// <summary>Requests that must be refused, each with the code S3 returns.</summary>
public partial class SigV4VerifierTests
{
    private const string PresignedPath = "/bucket/key";

    [Fact]
    public void Authentication_without_any_credentials_returns_AccessDenied()
    {
        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", new HeaderDictionary { ["Host"] = Host }));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abcd")]
    [InlineData("AWS4-HMAC-SHA256 Credential=x, Credential=y, SignedHeaders=host, Signature=abcd")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=Host;X-Amz-Date, Signature=abcd")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;;x-amz-date, Signature=abcd")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abcd, Extra=1")]
    [InlineData("AWS4-HMAC-SHA256")]
    public void Authentication_with_malformed_authorization_header_returns_AuthorizationHeaderMalformed(string authorization)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        headers["Authorization"] = authorization;

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, error.Code);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3")]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("/20130524/us-east-1/s3/aws4_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/2013O524/us-east-1/s3/aws4_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/20130524//s3/aws4_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request")]
    [InlineData("AKIAIOSFODNN7EXAMPLE/20130525/us-east-1/s3/aws4_request")]
    public void Authentication_with_malformed_credential_scope_returns_AuthorizationHeaderMalformed(string credential)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        headers["Authorization"] = headers["Authorization"].ToString().Replace(Scope, credential, StringComparison.Ordinal);

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, error.Code);
    }

    [Fact]
    public void Authentication_with_another_region_in_scope_returns_AuthorizationHeaderMalformed_naming_the_expected_region()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime, region: "eu-west-1");

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.AuthorizationHeaderMalformed, error.Code);
        Assert.Contains("'eu-west-1' is wrong; expecting 'us-east-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains(new KeyValuePair<string, string>("Region", "us-east-1"), error.Details);
    }

    [Fact]
    public void Authentication_with_unknown_access_key_returns_InvalidAccessKeyId()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime, accessKey: "AKIDUNKNOWN");

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidAccessKeyId, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("AWSAccessKeyId", "AKIDUNKNOWN"), error.Details);
    }

    [Fact]
    public void Authentication_with_wrong_secret_returns_SignatureDoesNotMatch()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime, secretKey: "not-the-secret");

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.DoesNotContain(error.Details, d => d.Value.Contains(TestSigner.SecretKey, StringComparison.Ordinal));
        Assert.Contains(error.Details, d => d.Key == "StringToSign");
    }

    [Theory]
    [InlineData("PUT", "/bucket/key", "")]
    [InlineData("GET", "/bucket/other", "")]
    [InlineData("GET", "/bucket/key", "x=1")]
    [InlineData("GET", "/bucket//key", "")]
    [InlineData("GET", "/bucket/./key", "")]
    public void Authentication_with_altered_method_path_or_query_returns_SignatureDoesNotMatch(string method, string path, string query)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);

        var error = VerifyFails(new SigV4Request(method, path, query, headers));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Authentication_with_altered_signed_header_returns_SignatureDoesNotMatch()
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", new() { ["x-amz-meta-a"] = "1" }, TestSigner.VectorTime);
        headers["x-amz-meta-a"] = "2";

        var error = VerifyFails(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("not-hex")]
    [InlineData("")]
    public void Authentication_with_bad_signature_returns_SignatureDoesNotMatch(string signature)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        var authorization = headers["Authorization"].ToString();
        headers["Authorization"] = authorization[..(authorization.IndexOf("Signature=", StringComparison.Ordinal) + 10)] + signature;

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    [InlineData(-600)]
    public void Authentication_with_request_date_over_15_minutes_from_server_clock_returns_RequestTimeTooSkewed(int minutes)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime.AddMinutes(minutes));

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.RequestTimeTooSkewed, error.Code);
        Assert.Equal(403, error.StatusCode);
    }

    [Theory]
    [InlineData(-14)]
    [InlineData(14)]
    public void Authentication_with_request_date_within_15_minutes_is_accepted(int minutes)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime.AddMinutes(minutes));

        var result = _verifier.Verify(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_header_form_without_content_sha256_returns_InvalidRequest()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        headers.Remove("x-amz-content-sha256");

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidRequest, error.Code);
        Assert.Equal("Missing required header for this request: x-amz-content-sha256", error.Message);
    }

    [Theory]
    [InlineData("unsigned-payload")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("STREAMING-PAYLOAD")]
    public void Authentication_with_unknown_content_sha256_value_returns_InvalidArgument(string value)
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", [], TestSigner.VectorTime, payloadHash: value);

        var error = VerifyFails(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
    }

    [Theory]
    [InlineData("x-amz-date", "yesterday")]
    [InlineData("x-amz-date", "")]
    public void Authentication_without_a_valid_date_returns_AccessDenied(string header, string value)
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        headers[header] = value;

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal("AWS authentication requires a valid Date or x-amz-date header", error.Message);
    }

    [Fact]
    public void Authentication_with_unsigned_amz_header_returns_AccessDenied_listing_it()
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", [], TestSigner.VectorTime);
        headers["x-amz-acl"] = "public-read";
        headers["X-Amz-Meta-Owner"] = "mallory";

        var error = VerifyFails(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Contains(new KeyValuePair<string, string>("HeadersNotSigned", "x-amz-acl, x-amz-meta-owner"), error.Details);
    }

    [Fact]
    public void Authentication_tolerates_unsigned_content_sha256_and_non_amz_headers()
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", [], TestSigner.VectorTime);
        var canonical = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = Host,
            ["x-amz-date"] = "20130524T000000Z",
        };
        var signature = TestSigner.Signature("PUT", "/bucket/key", "", canonical, "host;x-amz-date", "UNSIGNED-PAYLOAD",
            TestSigner.VectorTime, TestSigner.Region, TestSigner.SecretKey);
        headers["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders=host;x-amz-date, Signature={signature}";
        headers["User-Agent"] = "test";

        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Authentication_with_unknown_authorization_scheme_returns_InvalidArgument()
    {
        var headers = new HeaderDictionary { ["Host"] = Host, ["Authorization"] = "Bearer abc" };

        var error = VerifyFails(new SigV4Request("GET", "/bucket/key", "", headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Authentication_with_both_header_and_presigned_query_returns_InvalidArgument()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);

        var error = VerifyFails(new SigV4Request("GET", PresignedPath, query, headers));

        Assert.Equal(S3ErrorCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void Authentication_presigned_past_expiry_returns_AccessDenied_Request_has_expired()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);
        _clock.Set(TestSigner.VectorTime.AddSeconds(61));

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Request has expired", error.Message);
        Assert.Equal(
            [new("X-Amz-Expires", "60"), new("Expires", "2013-05-24T00:01:00Z"), new("ServerTime", "2013-05-24T00:01:01Z")],
            error.Details);
    }

    [Fact]
    public void Authentication_presigned_dated_over_15_minutes_in_the_future_returns_AccessDenied()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime.AddMinutes(16), 3600);

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal("Request is not yet valid", error.Message);
    }

    [Fact]
    public void Authentication_presigned_dated_a_little_in_the_future_is_accepted()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime.AddMinutes(10), 3600);

        Assert.True(_verifier.Verify(Presigned(query)).IsPresigned);
    }

    [Theory]
    [Trait("Issue", "10")]
    [InlineData("604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")]
    [InlineData("9223372036854775807", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds")]
    [InlineData("-1", "X-Amz-Expires must be non-negative")]
    [InlineData("soon", "X-Amz-Expires should be a number")]
    [InlineData("", "X-Amz-Expires should be a number")]
    [InlineData("%2060", "X-Amz-Expires should be a number")]
    [InlineData("6e1", "X-Amz-Expires should be a number")]
    [InlineData("9223372036854775808", "X-Amz-Expires should be a number")]
    public void Authentication_presigned_with_expires_negative_not_a_number_or_over_a_week_returns_AuthorizationQueryParametersError(
        string expires, string message)
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60).Replace("X-Amz-Expires=60", "X-Amz-Expires=" + expires, StringComparison.Ordinal);

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, error.Code);
        Assert.Equal(400, error.StatusCode);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    [Trait("Issue", "10")]
    public void Authentication_presigned_with_expires_of_zero_returns_AccessDenied_Request_has_expired()
    {
        // Arrange: S3 reads 0 as a valid number of seconds, so the URL expired the moment it was signed.
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 0);
        _clock.Set(TestSigner.VectorTime.AddMilliseconds(300));

        // Act
        var error = VerifyFails(Presigned(query));

        // Assert
        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Request has expired", error.Message);
        Assert.Equal(
            [new("X-Amz-Expires", "0"), new("Expires", "2013-05-24T00:00:00Z"), new("ServerTime", "2013-05-24T00:00:00Z")],
            error.Details);
    }

    [Fact]
    [Trait("Issue", "10")]
    public void Authentication_presigned_past_expiry_with_an_unknown_key_still_returns_Request_has_expired()
    {
        // S3 judges the time window before it looks the key up.
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60, accessKey: "AKIDUNKNOWN");
        _clock.Set(TestSigner.VectorTime.AddSeconds(61));

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Equal("Request has expired", error.Message);
    }

    [Fact]
    public void Authentication_presigned_on_its_last_second_is_accepted()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);
        _clock.Set(TestSigner.VectorTime.AddSeconds(60));

        Assert.True(_verifier.Verify(Presigned(query)).IsPresigned);
    }

    [Fact]
    public void Authentication_presigned_with_expires_of_a_week_is_accepted()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 604800);
        _clock.Set(TestSigner.VectorTime.AddDays(7));

        Assert.True(_verifier.Verify(Presigned(query)).IsPresigned);
    }

    [Theory]
    [InlineData("X-Amz-Algorithm")]
    [InlineData("X-Amz-Credential")]
    [InlineData("X-Amz-Date")]
    [InlineData("X-Amz-Expires")]
    [InlineData("X-Amz-SignedHeaders")]
    [InlineData("X-Amz-Signature")]
    public void Authentication_presigned_without_a_required_parameter_returns_AuthorizationQueryParametersError(string parameter)
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);
        var kept = query.Split('&').Where(p => !p.StartsWith(parameter + "=", StringComparison.Ordinal));

        var error = VerifyFails(Presigned(string.Join('&', kept)));

        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, error.Code);
    }

    [Theory]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1")]
    [InlineData("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24T00:00:00Z")]
    [InlineData("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=")]
    [InlineData("%2Fus-east-1%2Fs3%2F", "%2Fus-east-1%2Fsqs%2F")]
    [InlineData("%2Fus-east-1%2F", "%2F%2F")]
    public void Authentication_presigned_with_malformed_parameter_returns_AuthorizationQueryParametersError(string from, string to)
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60).Replace(from, to, StringComparison.Ordinal);

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, error.Code);
    }

    [Fact]
    public void Authentication_presigned_for_another_region_returns_AuthorizationQueryParametersError_naming_the_expected_region()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60, region: "ap-south-1");

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.AuthorizationQueryParametersError, error.Code);
        Assert.Contains("expecting 'us-east-1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authentication_presigned_with_unknown_access_key_returns_InvalidAccessKeyId()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60, accessKey: "AKIDNOBODY");

        var error = VerifyFails(Presigned(query));

        Assert.Equal(S3ErrorCode.InvalidAccessKeyId, error.Code);
    }

    [Fact]
    public void Authentication_presigned_with_tampered_signature_or_path_returns_SignatureDoesNotMatch()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);
        var tampered = query[..^1] + (query[^1] == '0' ? '1' : '0');

        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyFails(Presigned(tampered)).Code);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch,
            VerifyFails(new SigV4Request("GET", "/bucket/other", query, new HeaderDictionary { ["Host"] = Host })).Code);
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, VerifyFails(Presigned(query + "&extra=1")).Code);
    }

    [Fact]
    public void Authentication_presigned_with_unsigned_amz_header_returns_AccessDenied()
    {
        var query = TestSigner.Presign(PresignedPath, TestSigner.VectorTime, 60);
        var request = new SigV4Request("GET", PresignedPath, query, new HeaderDictionary { ["Host"] = Host, ["x-amz-copy-source"] = "/other/key" });

        var error = VerifyFails(request);

        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
        Assert.Contains(new KeyValuePair<string, string>("HeadersNotSigned", "x-amz-copy-source"), error.Details);
    }

    private static SigV4Request Presigned(string query) =>
        new("GET", PresignedPath, query, new HeaderDictionary { ["Host"] = Host });

    private S3Exception VerifyFails(SigV4Request request) => Assert.Throws<S3Exception>(() => _verifier.Verify(request));
}
