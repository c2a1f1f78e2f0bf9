using System.Xml.Linq;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class InitiateMultipartUploadResultWriterTests
{
    [Fact]
    public void An_initiate_result_matches_the_API_reference_example()
    {
        var result = new InitiateMultipartUploadResult("example-bucket", "example-object", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");

        var xml = Render(output => InitiateMultipartUploadResultWriter.Write(output, result));

        Assert.Equal(
            Declaration +
            "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>example-bucket</Bucket>" +
            "<Key>example-object</Key><UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>" +
            "</InitiateMultipartUploadResult>",
            xml);
    }

    [Fact]
    public void A_key_with_markup_characters_is_escaped_and_parses_back()
    {
        var xml = Render(output => InitiateMultipartUploadResultWriter.Write(output, new InitiateMultipartUploadResult("b", "a&b<c>\"d'", "u")));

        Assert.Contains("<Key>a&amp;b&lt;c&gt;&quot;d&apos;</Key>", xml, StringComparison.Ordinal);
        Assert.Equal("a&b<c>\"d'", Parse(xml).Element(XName.Get("Key", Ns))!.Value);
    }
}
