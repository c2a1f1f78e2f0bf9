using Cairn.S3.Xml;

namespace Cairn.S3.Tests.Xml;

public sealed class S3UrlEncodingTests
{
    [Theory]
    [InlineData("plain/key-1_2.txt", "plain/key-1_2.txt")]
    [InlineData("test_file(3).png", "test_file%283%29.png")]
    [InlineData("foo = bar baz \u03b1 \u03b2 \U0001F60A", "foo%20%3D%20bar%20baz%20%CE%B1%20%CE%B2%20%F0%9F%98%8A")]
    [InlineData("quux ab/", "quux%20ab/")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("star*", "star*")]
    [InlineData("tilde~", "tilde%7E")]
    [InlineData("x\u0001y\u007f", "x%01y%7F")]
    [InlineData("\n\t\r", "%0A%09%0D")]
    [InlineData("()!'\"<>,;:@$[]{}|\\^`", "%28%29%21%27%22%3C%3E%2C%3B%3A%40%24%5B%5D%7B%7D%7C%5C%5E%60")]
    [InlineData("%&?#=", "%25%26%3F%23%3D")]
    [InlineData("", "")]
    [Trait("Issue", "10")]
    public void Values_are_percent_encoded_keeping_slashes_and_S3s_unreserved_set(string value, string expected)
    {
        Assert.Equal(expected, S3UrlEncoding.Encode(value));
    }

    [Theory]
    [InlineData("a b+c/\u00e9\u0001~*")]
    [InlineData("photos/2006/February/")]
    [InlineData("a+b c")]
    public void Encoded_values_decode_back_with_form_decoding_and_with_percent_only_decoding(string value)
    {
        // botocore: unquote_plus; .NET's WebUtility.UrlDecode also treats '+' as a space. A space sent
        // as '+' would come back from Uri.UnescapeDataString (decodeURIComponent's twin) as a plus.
        Assert.Equal(value, System.Net.WebUtility.UrlDecode(S3UrlEncoding.Encode(value)));
        Assert.Equal(value, Uri.UnescapeDataString(S3UrlEncoding.Encode(value)));
    }

    [Fact]
    public void EncodeIf_leaves_values_alone_unless_asked_and_keeps_null()
    {
        Assert.Equal("a b", S3UrlEncoding.EncodeIf(false, "a b"));
        Assert.Equal("a%20b", S3UrlEncoding.EncodeIf(true, "a b"));
        Assert.Null(S3UrlEncoding.EncodeIf(true, null));
    }
}
