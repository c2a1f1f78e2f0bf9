using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ListAllMyBucketsResultWriterTests
{
    [Fact]
    public void A_bucket_list_matches_the_golden_document()
    {
        // Arrange
        var result = new ListAllMyBucketsResult(
            new S3Owner("bcaf1ffd86f41161ca5fb16fd081034f", "webfile"),
            [new BucketEntry("quotes", new DateTimeOffset(2006, 2, 3, 16, 45, 9, TimeSpan.Zero), "us-east-1"), new BucketEntry("samples", new DateTimeOffset(2006, 2, 3, 16, 41, 58, TimeSpan.Zero))]);

        // Act
        var xml = Render(output => ListAllMyBucketsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration +
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
            "<Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>" +
            "<Buckets>" +
            "<Bucket><Name>quotes</Name><CreationDate>2006-02-03T16:45:09.000Z</CreationDate><BucketRegion>us-east-1</BucketRegion></Bucket>" +
            "<Bucket><Name>samples</Name><CreationDate>2006-02-03T16:41:58.000Z</CreationDate></Bucket>" +
            "</Buckets></ListAllMyBucketsResult>",
            xml);
    }

    [Fact]
    public void An_empty_page_with_a_continuation_token_and_prefix_echoes_both_after_the_buckets()
    {
        // Arrange
        var result = new ListAllMyBucketsResult(new S3Owner("id"), []) { ContinuationToken = "tok/+=", Prefix = "pre" };

        // Act
        var xml = Render(output => ListAllMyBucketsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration +
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>id</ID></Owner><Buckets></Buckets>" +
            "<ContinuationToken>tok/+=</ContinuationToken><Prefix>pre</Prefix></ListAllMyBucketsResult>",
            xml);
        Assert.Equal(Ns, Parse(xml).Name.NamespaceName);
    }
}
