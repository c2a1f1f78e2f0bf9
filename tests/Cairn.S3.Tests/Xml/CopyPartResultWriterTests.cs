using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class CopyPartResultWriterTests
{
    [Fact]
    public void A_copy_part_result_matches_the_API_reference_example()
    {
        var xml = Render(output => CopyPartResultWriter.Write(output, new CopyPartResult("b20b2fb8bd1d4b5c4e7d7c8a26a0d8a0", Time)));

        Assert.Equal(
            Declaration +
            "<CopyPartResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;b20b2fb8bd1d4b5c4e7d7c8a26a0d8a0&quot;</ETag></CopyPartResult>",
            xml);
    }

    [Fact]
    public void Part_checksums_follow_the_ETag_and_there_is_no_checksum_type()
    {
        var result = new CopyPartResult("e", Time) { ChecksumCRC32C = "4waSgw==", ChecksumSHA1 = "2jmj7l5rSw0yVb/vlWAYkK/YBwk=" };

        var xml = Render(output => CopyPartResultWriter.Write(output, result));

        Assert.Equal(
            Declaration +
            "<CopyPartResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;e&quot;</ETag><ChecksumCRC32C>4waSgw==</ChecksumCRC32C><ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1>" +
            "</CopyPartResult>",
            xml);
    }
}
