using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class CompleteMultipartUploadResultWriterTests
{
    private const string Root = "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

    [Fact]
    public void A_complete_result_matches_the_API_reference_example()
    {
        var result = new CompleteMultipartUploadResult(
            "http://Example-Bucket.s3.Region.amazonaws.com/Example-Object", "Example-Bucket", "Example-Object", "3858f62230ac3c915f300c664312c11f-9");

        var xml = Render(output => CompleteMultipartUploadResultWriter.Write(output, result));

        Assert.Equal(
            Declaration + Root +
            "<Location>http://Example-Bucket.s3.Region.amazonaws.com/Example-Object</Location><Bucket>Example-Bucket</Bucket>" +
            "<Key>Example-Object</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag></CompleteMultipartUploadResult>",
            xml);
    }

    [Fact]
    public void Checksums_follow_the_ETag_in_reference_order_and_the_type_comes_last()
    {
        // Arrange: every checksum set, to pin the order; a real answer carries one.
        var result = new CompleteMultipartUploadResult("http://b.s3.amazonaws.com/k", "b", "k", "f453c6dccca969c457efdf9b1361e291-3")
        {
            ChecksumSHA256 = "aI8EoktCdotjU8Bq46DrPCxQCGuGcPIhJ51noWs6hvk=-3",
            ChecksumSHA1 = "sha1-3",
            ChecksumCRC64NVME = "crc64",
            ChecksumCRC32C = "crc32c-3",
            ChecksumCRC32 = "crc32-3",
            ChecksumType = "COMPOSITE",
        };

        // Act
        var xml = Render(output => CompleteMultipartUploadResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Location>http://b.s3.amazonaws.com/k</Location><Bucket>b</Bucket><Key>k</Key><ETag>&quot;f453c6dccca969c457efdf9b1361e291-3&quot;</ETag>" +
            "<ChecksumCRC32>crc32-3</ChecksumCRC32><ChecksumCRC32C>crc32c-3</ChecksumCRC32C><ChecksumCRC64NVME>crc64</ChecksumCRC64NVME>" +
            "<ChecksumSHA1>sha1-3</ChecksumSHA1><ChecksumSHA256>aI8EoktCdotjU8Bq46DrPCxQCGuGcPIhJ51noWs6hvk=-3</ChecksumSHA256>" +
            "<ChecksumType>COMPOSITE</ChecksumType></CompleteMultipartUploadResult>",
            xml);
    }

    [Fact]
    public void A_full_object_checksum_is_written_with_its_type()
    {
        var result = new CompleteMultipartUploadResult("l", "b", "k", "e-2") { ChecksumCRC64NVME = "rosUhgp5mIg=", ChecksumType = "FULL_OBJECT" };

        var xml = Render(output => CompleteMultipartUploadResultWriter.Write(output, result));

        Assert.EndsWith(
            "<ETag>&quot;e-2&quot;</ETag><ChecksumCRC64NVME>rosUhgp5mIg=</ChecksumCRC64NVME><ChecksumType>FULL_OBJECT</ChecksumType></CompleteMultipartUploadResult>",
            xml,
            StringComparison.Ordinal);
    }
}
