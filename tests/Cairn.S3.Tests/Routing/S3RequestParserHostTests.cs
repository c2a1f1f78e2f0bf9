using Cairn.S3.Routing;

namespace Cairn.S3.Tests.Routing;

/// <summary>Which hosts address a bucket: the admin endpoints (<c>/_cairn/</c>) are served only on the others.</summary>
public sealed class S3RequestParserHostTests
{
    [Theory]
    [InlineData("s3.example.com", "photos.s3.example.com", true)]
    [InlineData("s3.example.com", "Photos.S3.Example.com:9000", true)]
    [InlineData("s3.example.com", "a.b.s3.example.com", true)]
    [InlineData("s3.example.com", "s3.example.com", false)]
    [InlineData("s3.example.com", "s3.example.com:9000", false)]
    [InlineData("s3.example.com", "127.0.0.1:9000", false)]
    [InlineData("s3.example.com", "[::1]:9000", false)]
    [InlineData("s3.example.com", "evils3.example.com", false)]
    [InlineData("s3.example.com", null, false)]
    [InlineData(null, "photos.s3.example.com", false)]
    [InlineData("", "photos.localhost", false)]
    public void IsBucketHost_is_true_only_for_a_subdomain_of_the_base_domain(string? baseDomain, string? host, bool expected)
    {
        Assert.Equal(expected, new S3RequestParser(baseDomain).IsBucketHost(host));
    }
}
