using System.Text;
using System.Text.RegularExpressions;
using Cairn.S3.Handlers;

namespace Cairn.S3.Tests.Handlers;

[Trait("Issue", "10")]
public sealed partial class MetadataHeaderValueTests
{
    [Theory]
    [InlineData("blue")]
    [InlineData("")]
    [InlineData("with spaces, punctuation ~!@#$%^&*()_+{}|:\"<>? and a\ttab")]
    [InlineData("=?UTF-8?B?aMOpbGxv?=")]
    [InlineData("h%C3%A9llo")]
    public void Printable_US_ASCII_is_sent_as_stored(string value)
    {
        Assert.Same(value, MetadataHeaderValue.Encode(value));
    }

    [Theory]
    [InlineData("\u00c4M\u00c4Z\u00d5\u00d1 S3", "=?UTF-8?B?w4RNw4Raw5XDkSBTMw==?=")]
    [InlineData("h\u00e9llo \u2713", "=?UTF-8?B?aMOpbGxvIOKckw==?=")]
    [InlineData("line\nbreak", "=?UTF-8?B?bGluZQpicmVhaw==?=")]
    [InlineData("\u0001", "=?UTF-8?B?AQ==?=")]
    [InlineData("del\u007f", "=?UTF-8?B?ZGVsfw==?=")]
    public void Anything_else_is_one_RFC_2047_B_encoded_word_of_the_UTF_8_bytes(string value, string expected)
    {
        Assert.Equal(expected, MetadataHeaderValue.Encode(value));
    }

    [Theory]
    [InlineData("h\u00e9llo w\u00f6rld \u2713 \U0001F600")]
    [InlineData("\u65e5\u672c\u8a9e")]
    public void The_encoded_word_is_ASCII_and_decodes_to_the_exact_value(string value)
    {
        var encoded = MetadataHeaderValue.Encode(value);

        Assert.True(Ascii.IsValid(encoded));
        var match = EncodedWord().Match(encoded);
        Assert.True(match.Success, encoded);
        Assert.Equal(value, Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)));
    }

    [GeneratedRegex("^=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=$")]
    private static partial Regex EncodedWord();
}
