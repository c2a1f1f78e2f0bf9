using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// The examples AWS publishes for S3 SigV4 ("Signature Calculations for the Authorization Header:
/// Transferring Payload in a Single Chunk", "Authenticating Requests: Using Query Parameters", and the
/// chunked upload pages), checked through the public verifier, plus canonicalisation details.
/// </summary>
public partial class SigV4VerifierTests
{
    private const string Host = "examplebucket.s3.amazonaws.com";
    private const string Scope = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

    private readonly FakeTimeProvider _clock = new(TestSigner.VectorTime);
    private readonly SigV4Verifier _verifier;

    public SigV4VerifierTests()
    {
        var credentials = new InMemoryCredentialStore().Add(TestSigner.AccessKey, TestSigner.SecretKey);
        _verifier = new SigV4Verifier(credentials, "us-east-1", _clock);
    }

    [Fact]
    public void Aws_example_GET_object_with_range_verifies()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = Host,
            ["Range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = TestSigner.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope},SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        };

        var result = _verifier.Verify(new SigV4Request("GET", "/test.txt", "", headers));

        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
        Assert.Equal(PayloadMode.SignedHex, result.PayloadMode);
        Assert.Equal(TestSigner.EmptySha256, result.PayloadSha256Hex);
        Assert.Null(result.ChunkSigning);
        Assert.False(result.IsPresigned);
    }

    [Theory]
    [InlineData("/test%24file.text")]
    [InlineData("/test$file.text")]
    public void Aws_example_PUT_object_verifies_whether_or_not_the_client_escaped_the_dollar(string rawPath)
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = Host,
            ["Date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["x-amz-date"] = "20130524T000000Z",
            ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
            ["x-amz-content-sha256"] = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope},SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        };

        var result = _verifier.Verify(new SigV4Request("PUT", rawPath, "", headers));

        Assert.Equal(PayloadMode.SignedHex, result.PayloadMode);
        Assert.Equal("44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", result.PayloadSha256Hex);
    }

    [Fact]
    public void Aws_example_GET_bucket_lifecycle_verifies()
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = Host,
            ["x-amz-content-sha256"] = TestSigner.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope},SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
        };

        var result = _verifier.Verify(new SigV4Request("GET", "/", "lifecycle", headers));

        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Theory]
    [InlineData("max-keys=2&prefix=J")]
    [InlineData("prefix=J&max-keys=2")]
    public void Aws_example_GET_bucket_list_objects_verifies_in_any_parameter_order(string rawQuery)
    {
        var headers = new HeaderDictionary
        {
            ["Host"] = Host,
            ["x-amz-content-sha256"] = TestSigner.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope},SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        };

        var result = _verifier.Verify(new SigV4Request("GET", "/", rawQuery, headers));

        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Aws_example_presigned_GET_verifies()
    {
        // "Authenticating Requests: Using Query Parameters": valid for 86400 s from 20130524T000000Z.
        const string Query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        _clock.Set(TestSigner.VectorTime.AddHours(23));

        var result = _verifier.Verify(new SigV4Request("GET", "/test.txt", Query, new HeaderDictionary { ["Host"] = Host }));

        Assert.True(result.IsPresigned);
        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
        Assert.Null(result.PayloadSha256Hex);
    }

    [Fact]
    public void Aws_example_chunked_upload_seed_signature_verifies_and_yields_a_signing_context()
    {
        var headers = AwsChunkedExamples.StreamingHeaders();

        var result = _verifier.Verify(new SigV4Request("PUT", "/examplebucket/chunkObject.txt", "", headers));

        Assert.Equal(PayloadMode.StreamingSigned, result.PayloadMode);
        Assert.NotNull(result.ChunkSigning);
        Assert.Equal("20130524T000000Z", result.ChunkSigning!.AmzDate);
        Assert.Equal("20130524/us-east-1/s3/aws4_request", result.ChunkSigning.CredentialScope);
        Assert.Equal(Convert.FromHexString(AwsChunkedExamples.SeedSignature), result.ChunkSigning.SeedSignature.ToArray());
    }

    [Fact]
    public void Aws_example_chunked_upload_with_trailer_seed_signature_verifies()
    {
        var headers = AwsChunkedExamples.TrailerHeaders();

        var result = _verifier.Verify(new SigV4Request("PUT", "/examplebucket/chunkObject.txt", "", headers));

        Assert.Equal(PayloadMode.StreamingSignedTrailer, result.PayloadMode);
        Assert.Equal(Convert.FromHexString(AwsChunkedExamples.TrailerSeedSignature), result.ChunkSigning!.SeedSignature.ToArray());
    }

    [Theory]
    [InlineData("UNSIGNED-PAYLOAD", PayloadMode.Unsigned)]
    [InlineData("STREAMING-UNSIGNED-PAYLOAD-TRAILER", PayloadMode.StreamingUnsignedTrailer)]
    [InlineData("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", PayloadMode.StreamingSigned)]
    [InlineData("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", PayloadMode.StreamingSignedTrailer)]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", PayloadMode.SignedHex)]
    public void Content_sha256_value_selects_the_payload_mode(string contentSha256, PayloadMode expected)
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", [], TestSigner.VectorTime, contentSha256);

        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(expected, result.PayloadMode);
        Assert.Equal(expected is PayloadMode.StreamingSigned or PayloadMode.StreamingSignedTrailer, result.ChunkSigning is not null);
        Assert.Equal(expected == PayloadMode.SignedHex ? TestSigner.EmptySha256 : null, result.PayloadSha256Hex);
    }

    [Fact]
    public void Date_header_alone_dates_the_request()
    {
        // Signed with x-amz-date, then x-amz-date replaced by an equivalent Date header (and re-signed so).
        var headers = new Dictionary<string, string> { ["date"] = "Fri, 24 May 2013 00:00:00 GMT" };
        var signed = TestSigner.SignHeaders("GET", "/bucket/key", "", headers, TestSigner.VectorTime);
        var signedHeaders = "date;host;x-amz-content-sha256";
        var canonical = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["date"] = "Fri, 24 May 2013 00:00:00 GMT",
            ["host"] = Host,
            ["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD",
        };
        var signature = TestSigner.Signature("GET", "/bucket/key", "", canonical, signedHeaders, "UNSIGNED-PAYLOAD",
            TestSigner.VectorTime, TestSigner.Region, TestSigner.SecretKey);
        signed.Remove("x-amz-date");
        signed["Authorization"] = $"AWS4-HMAC-SHA256 Credential={Scope}, SignedHeaders={signedHeaders}, Signature={signature}";

        var result = _verifier.Verify(new SigV4Request("GET", "/bucket/key", "", signed));

        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Header_values_are_trimmed_and_inner_spaces_collapsed_before_signing()
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", new() { ["x-amz-meta-note"] = "a b c" }, TestSigner.VectorTime);
        headers["x-amz-meta-note"] = "  a   b    c  ";

        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Repeated_header_values_are_joined_with_commas()
    {
        var headers = TestSigner.SignHeaders("PUT", "/bucket/key", "", new() { ["x-amz-meta-list"] = "one,two" }, TestSigner.VectorTime);
        headers["x-amz-meta-list"] = new Microsoft.Extensions.Primitives.StringValues(["one", " two "]);

        var result = _verifier.Verify(new SigV4Request("PUT", "/bucket/key", "", headers));

        Assert.Equal(PayloadMode.Unsigned, result.PayloadMode);
    }

    [Fact]
    public void Query_is_decoded_and_re_encoded_before_signing()
    {
        // Canonical form: sorted, '+' read as a space, lower-case escapes upper-cased, '=' added to bare names.
        var headers = TestSigner.SignHeaders("GET", "/bucket", "a=1&b=x%20y&delimiter=%2F&list-type=2&prefix=%C3%A9t%C3%A9&versions=",
            [], TestSigner.VectorTime);

        var result = _verifier.Verify(new SigV4Request("GET", "/bucket", "versions&prefix=%c3%a9t%c3%a9&list-type=2&delimiter=/&b=x+y&a=1", headers));

        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/bucket/key", "/bucket/key")]
    [InlineData("/bucket/a+b", "/bucket/a%2Bb")]
    [InlineData("/bucket/a%2Bb", "/bucket/a%2Bb")]
    [InlineData("/bucket/a%20b", "/bucket/a%20b")]
    [InlineData("/bucket/caf%c3%a9", "/bucket/caf%C3%A9")]
    [InlineData("/bucket/%7Euser/x_y-z.txt", "/bucket/~user/x_y-z.txt")]
    [InlineData("/bucket/a*b(c)!", "/bucket/a%2Ab%28c%29%21")]
    [InlineData("/bucket/../a/./b//c", "/bucket/../a/./b//c")]
    [InlineData("/bucket/100%", "/bucket/100%25")]
    [InlineData("/bucket/%zz", "/bucket/%25zz")]
    [InlineData("/bucket/a%2Fb", "/bucket/a/b")]
    public void Canonical_path_is_the_raw_path_decoded_and_encoded_once_without_normalisation(string rawPath, string expected)
    {
        Assert.Equal(expected, CanonicalRequest.CanonicalPath(rawPath));
    }

    [Fact]
    public void Presigned_url_made_by_the_test_signer_verifies_until_it_expires()
    {
        var query = TestSigner.Presign("/bucket/key", TestSigner.VectorTime, expires: 3600);
        var request = new SigV4Request("GET", "/bucket/key", query, new HeaderDictionary { ["Host"] = Host });

        _clock.Set(TestSigner.VectorTime.AddSeconds(3600));
        Assert.True(_verifier.Verify(request).IsPresigned);

        _clock.Set(TestSigner.VectorTime.AddSeconds(3601));
        var error = Assert.Throws<S3Exception>(() => _verifier.Verify(request));
        Assert.Equal(S3ErrorCode.AccessDenied, error.Code);
    }

    [Fact]
    public void Signing_key_is_derived_once_per_day_and_region()
    {
        var headers = TestSigner.SignHeaders("GET", "/bucket/key", "", [], TestSigner.VectorTime);
        var request = new SigV4Request("GET", "/bucket/key", "", headers);

        var first = _verifier.Verify(request);
        var second = _verifier.Verify(request);

        Assert.Equal(first.Principal, second.Principal);
    }
}
