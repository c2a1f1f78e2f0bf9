using System.Security.Cryptography;
using Cairn.S3.Auth;
using Cairn.S3.Errors;

namespace Cairn.S3.Tests.Auth;

public class PayloadHashVerifyingStreamTests
{
    [Fact]
    public void Body_matching_the_signed_hash_reads_through()
    {
        var body = "Welcome to Amazon S3."u8.ToArray();
        using var stream = new PayloadHashVerifyingStream(new MemoryStream(body),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        var output = new MemoryStream();

        stream.CopyTo(output, 3);

        Assert.Equal(body, output.ToArray());
    }

    [Fact]
    public void Body_not_matching_the_signed_hash_throws_XAmzContentSHA256Mismatch_at_the_end()
    {
        var body = "Welcome to Amazon S3!"u8.ToArray();
        using var stream = new PayloadHashVerifyingStream(new MemoryStream(body),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        var buffer = new byte[body.Length];
        stream.ReadExactly(buffer);

        var error = Assert.Throws<S3Exception>(() => stream.Read(buffer));

        Assert.Equal(S3ErrorCode.XAmzContentSHA256Mismatch, error.Code);
        Assert.Equal(400, error.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("S3ComputedContentSHA256", Convert.ToHexStringLower(SHA256.HashData(body))), error.Details);
    }

    [Fact(Timeout = 10_000)]
    public async Task Async_reads_check_the_hash_too()
    {
        var body = new byte[100_000];
        new Random(3).NextBytes(body);
        var expected = Convert.ToHexStringLower(SHA256.HashData(body));
        await using var good = new PayloadHashVerifyingStream(new MemoryStream(body), expected.ToUpperInvariant());
        await good.CopyToAsync(Stream.Null);

        body[5] ^= 1;
        await using var bad = new PayloadHashVerifyingStream(new MemoryStream(body), expected);
        var error = await Assert.ThrowsAsync<S3Exception>(() => bad.CopyToAsync(Stream.Null));
        Assert.Equal(S3ErrorCode.XAmzContentSHA256Mismatch, error.Code);
    }

    [Fact]
    public void Empty_body_matches_the_empty_hash()
    {
        using var stream = new PayloadHashVerifyingStream(new MemoryStream(), TestSigner.EmptySha256);

        Assert.Equal(0, stream.Read(new byte[10]));
        Assert.Equal(0, stream.Read(new byte[10]));
    }
}
