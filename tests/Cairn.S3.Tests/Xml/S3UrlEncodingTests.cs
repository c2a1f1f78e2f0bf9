using Cairn.S3.Xml;

namespace Cairn.S3.Tests.Xml;

public sealed class S3UrlEncodingTests
{
    [Theory]
    [InlineData("plain/key-1_2.txt", "plain/key-1_2.txt")]
    [InlineData("test_file(3).png", "test_file%283%29.png")]
    [InlineData("foo = bar baz \u03b1 \u03b2 \U0001F60A", "foo+%3D+bar+baz+%CE%B1+%CE%B2+%F0%9F%98%8A")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("star*", "star*")]
    [InlineData("tilde~", "tilde%7E")]
    [InlineData("x\u0001y\u007f", "x%01y%7F")]
    [InlineData("%&?#=", "%25%26%3F%23%3D")]
    [InlineData("", "")]
    public void Values_are_form_encoded_keeping_slashes(string value, string expected)
    {
        Assert.Equal(expected, S3UrlEncoding.Encode(value));
    }

    [Theory]
    [InlineData("a b+c/\u00e9\u0001~*")]
    [InlineData("photos/2006/February/")]
    public void Encoded_values_decode_back_with_form_decoding_as_botocore_does(string value)
    {
        // botocore: unquote_plus; .NET's WebUtility.UrlDecode also treats '+' as a space.
        Assert.Equal(value, System.Net.WebUtility.UrlDecode(S3UrlEncoding.Encode(value)));
    }

    [Fact]
    public void EncodeIf_leaves_values_alone_unless_asked_and_keeps_null()
    {
        Assert.Equal("a b", S3UrlEncoding.EncodeIf(false, "a b"));
        Assert.Equal("a+b", S3UrlEncoding.EncodeIf(true, "a b"));
        Assert.Null(S3UrlEncoding.EncodeIf(true, null));
    }
}
