using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed partial class S3XmlReaderTests
{
    private static string CompleteBody(IEnumerable<int> partNumbers) =>
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
        string.Concat(partNumbers.Select(n => $"<Part><PartNumber>{n}</PartNumber><ETag>\"e{n}\"</ETag></Part>")) +
        "</CompleteMultipartUpload>";

    [Fact]
    public void CompleteMultipartUpload_reads_the_API_reference_example_with_ETags_unquoted()
    {
        // Arrange
        var body = """
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Part>
                <PartNumber>1</PartNumber>
                <ETag>"a54357aff0632cce46d942af68356b38"</ETag>
              </Part>
              <Part>
                <PartNumber>2</PartNumber>
                <ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag>
              </Part>
              <Part>
                <PartNumber>3</PartNumber>
                <ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag>
              </Part>
            </CompleteMultipartUpload>
            """;

        // Act
        var parts = S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(body));

        // Assert
        Assert.Equal(
            [
                new CompletedPartXml(1, "a54357aff0632cce46d942af68356b38"),
                new CompletedPartXml(2, "0c78aef83f66abc1fa1e8477f296d394"),
                new CompletedPartXml(3, "acbd18db4cc2f85cedef654fccc4a4d8"),
            ],
            parts);
    }

    [Fact]
    public void CompleteMultipartUpload_reads_checksums_by_wire_name_in_any_element_order()
    {
        // Arrange: botocore writes ETag and the checksums before PartNumber, with quotes as &quot;.
        var body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload><Part>" +
            "<ETag>&quot;e1&quot;</ETag><ChecksumCRC32>y/Q5Jg==</ChecksumCRC32><ChecksumCRC32C> 4waSgw== </ChecksumCRC32C>" +
            "<ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME><ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1>" +
            "<ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256><PartNumber>1</PartNumber></Part>" +
            "<Part><PartNumber>2</PartNumber><ETag>e2</ETag><ChecksumCRC32></ChecksumCRC32><Unknown>x</Unknown></Part></CompleteMultipartUpload>";

        // Act
        var parts = S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(body));

        // Assert
        Assert.Equal(
            new CompletedPartXml(1, "e1")
            {
                ChecksumCRC32 = "y/Q5Jg==",
                ChecksumCRC32C = "4waSgw==",
                ChecksumCRC64NVME = "rosUhgp5mIg=",
                ChecksumSHA1 = "2jmj7l5rSw0yVb/vlWAYkK/YBwk=",
                ChecksumSHA256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            },
            parts[0]);
        Assert.Equal(new CompletedPartXml(2, "e2"), parts[1]);
    }

    [Fact]
    public void CompleteMultipartUpload_returns_parts_out_of_order_and_duplicated_as_sent()
    {
        // The handler, not the reader, answers InvalidPartOrder.
        var parts = S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(CompleteBody([3, 1, 1, 10000])));

        Assert.Equal([3, 1, 1, 10000], parts.Select(p => p.PartNumber));
    }

    [Theory]
    [InlineData(" 7 ", 7)]
    [InlineData("007", 7)]
    [InlineData("+2", 2)]
    public void CompleteMultipartUpload_accepts_a_padded_part_number(string value, int expected)
    {
        var parts = S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream($"<CompleteMultipartUpload><Part><PartNumber>{value}</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"));

        Assert.Equal(expected, parts[0].PartNumber);
    }

    [Fact]
    public void CompleteMultipartUpload_accepts_exactly_10000_parts()
    {
        var parts = S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(CompleteBody(Enumerable.Range(1, 10000))));

        Assert.Equal(10000, parts.Count);
        Assert.Equal(new CompletedPartXml(10000, "e10000"), parts[^1]);
    }

    [Fact]
    public void CompleteMultipartUpload_with_10001_parts_is_MalformedXML()
    {
        AssertMalformed(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(CompleteBody(Enumerable.Range(1, 10001).Select(n => Math.Min(n, 10000))))));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    [InlineData("<CompleteMultipartUpload/>")]
    [InlineData("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></CompleteMultipartUpload>")]
    [InlineData("<CompleteMultipartUpload><Other><PartNumber>1</PartNumber><ETag>e</ETag></Other></CompleteMultipartUpload>")]
    public void CompleteMultipartUpload_with_no_parts_is_MalformedXML(string body)
    {
        AssertMalformed(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(body)));
    }

    [Theory]
    [InlineData("<Part><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber>1</PartNumber></Part>")]
    [InlineData("<Part/>")]
    [InlineData("<Part><PartNumber>1</PartNumber><ETag></ETag></Part>")]
    [InlineData("<Part><PartNumber>1</PartNumber><ETag>\"\"</ETag></Part>")]
    [InlineData("<Part><PartNumber>one</PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber>1.5</PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber></PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber>1 2</PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber>99999999999999999999</PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<Part><PartNumber>1</PartNumber><ETag>e<b/></ETag></Part>")]
    [InlineData("<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>stray")]
    public void CompleteMultipartUpload_with_a_part_missing_or_garbling_its_number_or_ETag_is_MalformedXML(string part)
    {
        AssertMalformed(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream($"<CompleteMultipartUpload>{part}</CompleteMultipartUpload>")));
    }

    [Theory]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>")]
    [InlineData("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload><Extra/>")]
    [InlineData("<CompleteMultipartUploadResult><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUploadResult>")]
    [InlineData("<CompleteMultipartUpload xmlns=\"urn:other\"><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>")]
    [InlineData("{\"Parts\":[{\"PartNumber\":1,\"ETag\":\"e\"}]}")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x \"e\">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&x;</ETag></Part></CompleteMultipartUpload>")]
    public void CompleteMultipartUpload_that_is_malformed_or_wrongly_rooted_is_MalformedXML(string body)
    {
        AssertMalformed(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(body)));
    }

    [Theory]
    [InlineData("0", "PartNumber must be >= 1")]
    [InlineData("-1", "PartNumber must be >= 1")]
    [InlineData("10001", "PartNumber must be <= 10000")]
    [InlineData("4294967297", "PartNumber must be <= 10000")]
    public void CompleteMultipartUpload_with_a_part_number_out_of_range_is_InvalidArgument(string number, string message)
    {
        // Arrange
        var body = $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part><Part><PartNumber>{number}</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";

        // Act
        var ex = Assert.Throws<S3Exception>(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(body)));

        // Assert
        Assert.Equal(S3ErrorCode.InvalidArgument, ex.Code);
        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void CompleteMultipartUpload_reports_a_malformed_document_before_an_out_of_range_part_number()
    {
        AssertMalformed(() => S3XmlReader.ReadCompleteMultipartUpload(Utf8Stream(
            "<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>e</ETag></Part><Part><ETag>e</ETag></Part></CompleteMultipartUpload>")));
    }
}
