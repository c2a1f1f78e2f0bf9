using System.Buffers;
using Cairn.Core;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class S3XmlWriterTests
{
    private static string Text(string value) => Render(output => new S3XmlWriter(output).WriteText(value));

    [Theory]
    [InlineData("plain/key.txt", "plain/key.txt")]
    [InlineData("a&b", "a&amp;b")]
    [InlineData("<tag>", "&lt;tag&gt;")]
    [InlineData("say \"hi\"", "say &quot;hi&quot;")]
    [InlineData("it's", "it&apos;s")]
    [InlineData("&&", "&amp;&amp;")]
    public void Markup_characters_are_escaped_as_entities(string value, string expected)
    {
        Assert.Equal(expected, Text(value));
    }

    [Theory]
    [InlineData("a\u0001b", "a&#x1;b")]
    [InlineData("LA\u001b", "LA&#x1b;")]
    [InlineData("\u0000", "&#x0;")]
    [InlineData("tab\there", "tab&#x9;here")]
    [InlineData("line\r\nend", "line&#xd;&#xa;end")]
    [InlineData("\u001f\u0020", "&#x1f; ")]
    [InlineData("x\uFFFEy\uFFFF", "x&#xfffe;y&#xffff;")]
    public void Control_characters_become_lower_case_numeric_references_as_AWS_writes_them(string value, string expected)
    {
        Assert.Equal(expected, Text(value));
    }

    [Fact]
    public void Non_ASCII_text_is_written_as_UTF_8_unchanged()
    {
        Assert.Equal("caf\u00e9/\u65e5\u672c/\U0001F600\u007f\u0085", Text("caf\u00e9/\u65e5\u672c/\U0001F600\u007f\u0085"));
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character()
    {
        Assert.Equal("a\uFFFDb", Text("a\uD800b"));
    }

    [Fact]
    public void Long_text_with_escapes_and_surrogate_pairs_across_slices_round_trips()
    {
        // Arrange: long enough to be written in several slices, with pairs at every position parity.
        var value = string.Concat(Enumerable.Range(0, 3000).Select(i => i % 7 == 0 ? "&\U0001F600" : "ab\u00e9"));

        // Act
        var xml = Render(output =>
        {
            var writer = new S3XmlWriter(output);
            writer.WriteElement("Key"u8, value);
        });

        // Assert
        Assert.Equal(value, Parse(xml).Value);
    }

    [Fact]
    public void Numbers_booleans_and_dates_use_the_S3_wire_forms()
    {
        // Act
        var xml = Render(output =>
        {
            var writer = new S3XmlWriter(output);
            writer.WriteStart("R"u8);
            writer.WriteElement("Size"u8, 5_368_709_120L);
            writer.WriteElement("Neg"u8, -1L);
            writer.WriteElement("T"u8, true);
            writer.WriteElement("F"u8, false);
            writer.WriteElement("D"u8, new DateTimeOffset(2024, 2, 29, 23, 59, 58, 7, TimeSpan.FromHours(2)));
            writer.WriteEnd("R"u8);
        });

        // Assert
        Assert.Equal("<R><Size>5368709120</Size><Neg>-1</Neg><T>true</T><F>false</F><D>2024-02-29T21:59:58.007Z</D></R>", xml);
        Assert.Equal("2024-02-29T21:59:58.007Z", S3Date.ToXmlDate(new DateTimeOffset(2024, 2, 29, 23, 59, 58, 7, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void An_ETag_is_wrapped_in_escaped_quotes()
    {
        var xml = Render(output => new S3XmlWriter(output).WriteQuotedElement("ETag"u8, "fba9dede5f27731c9771645a39863328"));

        Assert.Equal("<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>", xml);
    }

    [Fact]
    public void Optional_elements_are_left_out_when_null_and_written_when_empty()
    {
        var xml = Render(output =>
        {
            var writer = new S3XmlWriter(output);
            writer.WriteOptionalElement("Gone"u8, null);
            writer.WriteOptionalElement("Empty"u8, "");
        });

        Assert.Equal("<Empty></Empty>", xml);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("x><y")]
    [InlineData("-Leading-Hyphen")]
    [InlineData("9Digit")]
    public void Named_elements_refuse_names_that_are_not_a_letter_then_letters_digits_and_hyphens(string name)
    {
        Assert.Throws<ArgumentException>(() => Render(output => new S3XmlWriter(output).WriteNamedElement(name, "v")));
    }

    [Fact]
    public void Named_elements_accept_hyphens_as_in_the_X_Amz_Expires_detail_of_an_expired_URL()
    {
        Assert.Equal("<X-Amz-Expires>1</X-Amz-Expires>", Render(output => new S3XmlWriter(output).WriteNamedElement("X-Amz-Expires", "1")));
    }

    [Fact]
    public void Output_goes_through_a_buffer_writer_that_hands_out_small_segments()
    {
        // Arrange
        var output = new TinySegmentWriter();

        // Act
        new S3XmlWriter(output).WriteElement("Key"u8, new string('k', 10_000) + "&");

        // Assert
        Assert.Equal("<Key>" + new string('k', 10_000) + "&amp;</Key>", System.Text.Encoding.UTF8.GetString(output.Written.ToArray()));
    }

    /// <summary>Gives spans exactly as large as asked, to catch writes past a span's end.</summary>
    private sealed class TinySegmentWriter : IBufferWriter<byte>
    {
        private byte[] _current = [];

        public List<byte> Written { get; } = [];

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _current.Length);
            Written.AddRange(_current.AsSpan(0, count).ToArray());
            _current = [];
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
