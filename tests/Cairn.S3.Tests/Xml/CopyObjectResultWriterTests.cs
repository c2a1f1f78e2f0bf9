using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class CopyObjectResultWriterTests
{
    [Fact]
    public void A_copy_result_matches_the_golden_document()
    {
        var xml = Render(output => CopyObjectResultWriter.Write(output, new CopyObjectResult("9b2cf535f27731c974343645a3985328", Time)));

        Assert.Equal(
            Declaration +
            "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>",
            xml);
    }

    [Fact]
    public void Checksums_that_are_present_follow_the_ETag()
    {
        var result = new CopyObjectResult("e", Time) { ChecksumType = "FULL_OBJECT", ChecksumCRC32 = "AAAAAA==", ChecksumSHA256 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=" };

        var xml = Render(output => CopyObjectResultWriter.Write(output, result));

        Assert.Equal(
            Declaration +
            "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;e&quot;</ETag><ChecksumType>FULL_OBJECT</ChecksumType><ChecksumCRC32>AAAAAA==</ChecksumCRC32>" +
            "<ChecksumSHA256>n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</ChecksumSHA256></CopyObjectResult>",
            xml);
    }
}
