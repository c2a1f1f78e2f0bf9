using System.Security.Cryptography;
using System.Text;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Tests.Auth;

/// <summary>
/// <see cref="SigV4Signer"/> against AWS's published S3 examples, and round trips through
/// <see cref="SigV4Verifier"/>: what the signer signs, the verifier accepts, and a change to any
/// signed part is refused with the code S3 gives.
/// </summary>
[Trait("Issue", "11")]
public class SigV4SignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 21, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Now);
    private readonly SigV4Verifier _verifier;

    public SigV4SignerTests()
    {
        var credentials = new InMemoryCredentialStore().Add(TestSigner.AccessKey, TestSigner.SecretKey);
        _verifier = new SigV4Verifier(credentials, TestSigner.Region, _clock);
    }

    [Theory]
    // AWS "GET Bucket (List Objects)" example (the vectors SigV4VerifierTests checks): the same signature
    // whatever the parameters' order, as in the SigV4 suite's get-vanilla-query-order cases.
    [InlineData("/?max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    [InlineData("/?prefix=J&max-keys=2", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    // AWS "GET Bucket Lifecycle" example: a parameter without '=' is signed with an empty value.
    [InlineData("/?lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    public void Signing_the_AWS_examples_yields_their_published_signatures(string target, string signature)
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://examplebucket.s3.amazonaws.com" + target);

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, "us-east-1", TestSigner.VectorTime);

        // Assert
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + $"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}",
            Header(request, "Authorization"));
        Assert.Equal("20130524T000000Z", Header(request, "x-amz-date"));
        Assert.Equal(TestSigner.EmptySha256, Header(request, "x-amz-content-sha256"));
        Assert.Equal("examplebucket.s3.amazonaws.com", request.Headers.Host);
    }

    [Theory]
    [InlineData("/_cairn/buckets/photos/tree")]
    [InlineData("/bucket/a%20b")]
    [InlineData("/bucket/caf%C3%A9")]
    [InlineData("/bucket/a%2Fb%2Bc")]
    [InlineData("/bucket/%7Euser/x_y-z.txt")]
    [InlineData("/bucket/%E2%9C%93%F0%9F%98%80")]
    [InlineData("/")]
    public void A_signed_path_verifies(string path)
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000" + path);

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var result = _verifier.Verify(ToSigV4Request(request));

        // Assert
        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
        Assert.Equal(PayloadMode.SignedHex, result.PayloadMode);
    }

    [Theory]
    [InlineData("key", "a b")]
    [InlineData("key", "a+b")]
    [InlineData("key", "dir/sub/file.txt")]
    [InlineData("key", "~tilde")]
    [InlineData("key", "été ✓ 😀")]
    [InlineData("key", "")]
    [InlineData("key", "*!'();:@&=$,?#[]%")]
    [InlineData("a b", "x")]
    public void A_signed_query_value_verifies(string name, string value)
    {
        // Arrange
        var query = $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/_cairn/buckets/b/proof?" + query);

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var result = _verifier.Verify(ToSigV4Request(request));

        // Assert
        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Fact]
    public void Several_parameters_out_of_order_with_empty_and_bare_ones_verify()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get,
            "http://127.0.0.1:9000/_cairn/buckets/b/proof?zeta=1&key=a%2Fb%20c&flush=true&empty=&bare&Alpha=%C3%A9&alpha=2");

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var result = _verifier.Verify(ToSigV4Request(request));

        // Assert
        Assert.Equal(TestSigner.AccessKey, result.Principal.AccessKeyId);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_body_is_hashed_into_the_signature_and_can_still_be_sent()
    {
        // Arrange
        var body = Encoding.UTF8.GetBytes("hello, cairn");
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:9000/bucket/key") { Content = new ByteArrayContent(body) };

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var result = _verifier.Verify(ToSigV4Request(request));

        // Assert
        var expected = Convert.ToHexStringLower(SHA256.HashData(body));
        Assert.Equal(expected, Header(request, "x-amz-content-sha256"));
        Assert.Equal(expected, result.PayloadSha256Hex);
        Assert.Equal(body, await request.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = 10_000)]
    public async Task A_seekable_stream_body_is_rewound_for_the_send()
    {
        // Arrange
        var body = Encoding.UTF8.GetBytes("streamed body");
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://127.0.0.1:9000/bucket/key")
        {
            Content = new StreamContent(new MemoryStream(body)),
        };

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);

        // Assert
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), Header(request, "x-amz-content-sha256"));
        Assert.Equal(body, await request.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/", "127.0.0.1:9000")]
    [InlineData("http://localhost/", "localhost")]
    [InlineData("https://cairn.example:443/", "cairn.example")]
    [InlineData("http://[::1]:9000/", "[::1]:9000")]
    public void Host_is_set_to_what_the_client_sends_when_absent(string url, string host)
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);

        // Assert
        Assert.Equal(host, request.Headers.Host);
        Assert.Equal(TestSigner.AccessKey, _verifier.Verify(ToSigV4Request(request)).Principal.AccessKeyId);
    }

    [Fact]
    public void Signing_again_replaces_the_earlier_signature()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/bucket/key");
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now.AddMinutes(-30));

        // Act
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);

        // Assert
        Assert.Single(request.Headers.GetValues("Authorization"));
        Assert.Single(request.Headers.GetValues("x-amz-date"));
        Assert.Single(request.Headers.GetValues("x-amz-content-sha256"));
        Assert.Equal(TestSigner.AccessKey, _verifier.Verify(ToSigV4Request(request)).Principal.AccessKeyId);
    }

    [Fact]
    public void Authentication_with_wrong_secret_returns_SignatureDoesNotMatch()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/_cairn/buckets/b/tree");
        SigV4Signer.Sign(request, TestSigner.AccessKey, "not-the-secret", TestSigner.Region, Now);

        // Act
        var error = Assert.Throws<S3Exception>(() => _verifier.Verify(ToSigV4Request(request)));

        // Assert
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Authentication_with_altered_path_returns_SignatureDoesNotMatch()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/_cairn/buckets/b/tree");
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var signed = ToSigV4Request(request);

        // Act
        var error = Assert.Throws<S3Exception>(() => _verifier.Verify(signed with { RawPath = "/_cairn/buckets/c/tree" }));

        // Assert
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Fact]
    public void Authentication_with_altered_query_value_returns_SignatureDoesNotMatch()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/_cairn/buckets/b/proof?key=a%20b");
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now);
        var signed = ToSigV4Request(request);

        // Act
        var error = Assert.Throws<S3Exception>(() => _verifier.Verify(signed with { RawQuery = "key=a%20c" }));

        // Assert
        Assert.Equal(S3ErrorCode.SignatureDoesNotMatch, error.Code);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public void Authentication_with_request_date_over_15_minutes_from_server_clock_returns_RequestTimeTooSkewed(int minutes)
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9000/_cairn/buckets/b/tree");
        SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now.AddMinutes(minutes));

        // Act
        var error = Assert.Throws<S3Exception>(() => _verifier.Verify(ToSigV4Request(request)));

        // Assert
        Assert.Equal(S3ErrorCode.RequestTimeTooSkewed, error.Code);
    }

    [Fact]
    public void A_relative_uri_cannot_be_signed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/bucket/key", UriKind.Relative));

        Assert.Throws<ArgumentException>(() => SigV4Signer.Sign(request, TestSigner.AccessKey, TestSigner.SecretKey, TestSigner.Region, Now));
    }

    /// <summary>The request as the server would see it: the target as sent, and the headers.</summary>
    private static SigV4Request ToSigV4Request(HttpRequestMessage request)
    {
        var target = request.RequestUri!.PathAndQuery;
        var question = target.IndexOf('?');
        var headers = new HeaderDictionary { ["Host"] = request.Headers.Host };
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToArray();
        }
        return new SigV4Request(request.Method.Method, question < 0 ? target : target[..question],
            question < 0 ? "" : target[(question + 1)..], headers);
    }

    private static string Header(HttpRequestMessage request, string name) => Assert.Single(request.Headers.GetValues(name));
}
