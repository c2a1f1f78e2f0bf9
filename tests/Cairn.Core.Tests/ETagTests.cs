namespace Cairn.Core.Tests;

public class ETagTests
{
    private const string Tag = "9b2cf535f27731c974343645a3985328";

    [Theory]
    [InlineData("\"9b2cf535f27731c974343645a3985328\"", true)]
    [InlineData("9b2cf535f27731c974343645a3985328", true)]
    [InlineData("W/\"9b2cf535f27731c974343645a3985328\"", true)]
    [InlineData("*", true)]
    [InlineData("\"other\", \"9b2cf535f27731c974343645a3985328\"", true)]
    [InlineData("\"other\",\"9b2cf535f27731c974343645a3985328\"", true)]
    [InlineData("\"other\"", false)]
    [InlineData("\"9B2CF535F27731C974343645A3985328\"", false)]
    [InlineData("\"9b2cf535f27731c974343645a398532\"", false)]
    [InlineData("", false)]
    [InlineData(" , ", false)]
    public void HeaderMatches_compares_each_listed_etag(string header, bool expected)
    {
        Assert.Equal(expected, ETag.HeaderMatches(header, Tag));
    }

    [Fact]
    public void FromMd5_is_lower_hex_and_Quote_adds_quotes()
    {
        byte[] md5 = [0x9B, 0x2C, 0xF5, 0x35];

        Assert.Equal("9b2cf535", ETag.FromMd5(md5));
        Assert.Equal("\"9b2cf535\"", ETag.Quote("9b2cf535"));
        Assert.Equal("9b2cf535", ETag.Unquote(" \"9b2cf535\" "));
    }
}
