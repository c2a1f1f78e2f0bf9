namespace Cairn.Core.Tests;

public class S3DateTests
{
    private static readonly DateTimeOffset Moment = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Amz_date_formats_and_parses_back()
    {
        var text = S3Date.ToAmzDate(Moment.AddSeconds(3661));

        Assert.Equal("20130524T010101Z", text);
        Assert.True(S3Date.TryParseAmzDate(text, out var parsed));
        Assert.Equal(Moment.AddSeconds(3661), parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Offset);
    }

    [Fact]
    public void Http_date_formats_and_parses_back()
    {
        var text = S3Date.ToHttpDate(Moment);

        Assert.Equal("Fri, 24 May 2013 00:00:00 GMT", text);
        Assert.True(S3Date.TryParseHttpDate(text, out var parsed));
        Assert.Equal(Moment, parsed);
    }

    [Fact]
    public void Xml_date_keeps_milliseconds_and_parses_back()
    {
        var value = Moment.AddMilliseconds(1234);
        var text = S3Date.ToXmlDate(value);

        Assert.Equal("2013-05-24T00:00:01.234Z", text);
        Assert.True(S3Date.TryParseHttpDate(text, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Fact]
    public void Non_utc_input_is_written_in_utc()
    {
        var local = new DateTimeOffset(2013, 5, 24, 2, 0, 0, TimeSpan.FromHours(2));

        Assert.Equal("20130524T000000Z", S3Date.ToAmzDate(local));
        Assert.Equal("Fri, 24 May 2013 00:00:00 GMT", S3Date.ToHttpDate(local));
    }

    [Theory]
    [InlineData("Friday, 24-May-13 00:00:00 GMT")]
    [InlineData("Fri May 24 00:00:00 2013")]
    [InlineData("2013-05-24T00:00:00Z")]
    public void Other_http_date_forms_parse(string text)
    {
        Assert.True(S3Date.TryParseHttpDate(text, out var parsed));
        Assert.Equal(Moment, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2013-05-24")]
    public void Garbage_dates_do_not_parse(string? text)
    {
        Assert.False(S3Date.TryParseHttpDate(text, out _));
        Assert.False(S3Date.TryParseAmzDate(text, out _));
    }

    [Fact]
    public void Amz_date_rejects_the_extended_format()
    {
        Assert.False(S3Date.TryParseAmzDate("2013-05-24T00:00:00Z", out _));
    }
}
