using System.Text;

namespace Cairn.S3.Tests;

[Trait("Issue", "10")]
public sealed class RequestHeaderEncodingTests
{
    private static readonly Encoding Encoding = RequestHeaderEncoding.Instance;

    [Theory]
    [InlineData("plain ASCII, as most headers are")]
    [InlineData("h\u00e9llo w\u00f6rld \u2713 \U0001F600")]
    [InlineData("\u00c4M\u00c4Z\u00d5\u00d1 S3")]
    public void UTF_8_bytes_are_read_as_UTF_8(string text)
    {
        Assert.Equal(text, Encoding.GetString(Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("\u00e9")]
    [InlineData("na\u00efve r\u00e9sum\u00e9 \u00ff\u00fe\u0080")]
    public void Latin_1_bytes_that_are_not_UTF_8_are_read_as_Latin_1(string text)
    {
        // What Python's http.client and Node's http put on the wire for these strings.
        Assert.Equal(text, Encoding.GetString(Encoding.Latin1.GetBytes(text)));
    }

    [Fact]
    public void Every_byte_survives_a_mix_of_UTF_8_and_stray_bytes()
    {
        byte[] bytes = [0x61, 0xC3, 0xA9, 0xE9, 0x62, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xC3];

        var text = Encoding.GetString(bytes);

        Assert.Equal("a\u00e9\u00e9b\U0001F600\u00ff\u00c3", text);
    }

    [Fact]
    public void Every_single_byte_value_decodes_to_one_character_and_none_is_replaced()
    {
        for (var b = 0; b < 256; b++)
        {
            var text = Encoding.GetString([(byte)b]);

            Assert.Equal(((char)b).ToString(), text);
        }
    }
}
