using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ListPartsResultWriterTests
{
    private const string Root = "<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

    private static readonly DateTimeOffset Part2Time = new(2010, 11, 10, 20, 48, 34, TimeSpan.Zero);
    private static readonly DateTimeOffset Part3Time = new(2010, 11, 10, 20, 48, 33, TimeSpan.Zero);

    [Fact]
    public void A_truncated_page_matches_the_API_reference_example_in_response_syntax_order()
    {
        // Arrange: the values of the ListParts reference example (page after part 1, max-parts 2).
        var result = new ListPartsResult
        {
            Bucket = "example-bucket",
            Key = "example-object",
            UploadId = "XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA",
            PartNumberMarker = 1,
            NextPartNumberMarker = 3,
            MaxParts = 2,
            IsTruncated = true,
            Parts =
            [
                new PartEntry(2, Part2Time, "7778aef83f66abc1fa1e8477f296d394", 10485760),
                new PartEntry(3, Part3Time, "aaaa18db4cc2f85cedef654fccc4a4x8", 10485760),
            ],
            Initiator = new S3Owner("arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx", "umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx"),
            Owner = new S3Owner("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", "someName"),
        };

        // Act
        var xml = Render(output => ListPartsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Bucket>example-bucket</Bucket><Key>example-object</Key><UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>" +
            "<PartNumberMarker>1</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>" +
            "<Part><PartNumber>2</PartNumber><LastModified>2010-11-10T20:48:34.000Z</LastModified><ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag><Size>10485760</Size></Part>" +
            "<Part><PartNumber>3</PartNumber><LastModified>2010-11-10T20:48:33.000Z</LastModified><ETag>&quot;aaaa18db4cc2f85cedef654fccc4a4x8&quot;</ETag><Size>10485760</Size></Part>" +
            "<Initiator><ID>arn:aws:iam::111122223333:user/some-user-11116a31-17b5-4fb7-9df5-b288870f11xx</ID><DisplayName>umat-user-11116a31-17b5-4fb7-9df5-b288870f11xx</DisplayName></Initiator>" +
            "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>someName</DisplayName></Owner>" +
            "<StorageClass>STANDARD</StorageClass></ListPartsResult>",
            xml);
    }

    [Fact]
    public void Part_checksums_and_the_upload_checksum_algorithm_and_type_are_written_when_set()
    {
        // Arrange
        var result = new ListPartsResult
        {
            Bucket = "b",
            Key = "k",
            UploadId = "u",
            MaxParts = 1000,
            Parts = [new PartEntry(1, Time, "e1", 5242880) { ChecksumCRC32 = "AAAAAA==" }, new PartEntry(2, Time, "e2", 1) { ChecksumCRC32 = "AAAAAQ==" }],
            ChecksumAlgorithm = "CRC32",
            ChecksumType = "COMPOSITE",
        };

        // Act
        var xml = Render(output => ListPartsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><PartNumberMarker>0</PartNumberMarker><MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>" +
            "<Part><PartNumber>1</PartNumber><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>5242880</Size><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>" +
            "<Part><PartNumber>2</PartNumber><LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;e2&quot;</ETag><Size>1</Size><ChecksumCRC32>AAAAAQ==</ChecksumCRC32></Part>" +
            "<StorageClass>STANDARD</StorageClass><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>COMPOSITE</ChecksumType></ListPartsResult>",
            xml);
    }

    [Fact]
    public void An_upload_without_parts_lists_none()
    {
        var result = new ListPartsResult { Bucket = "b", Key = "a&b", UploadId = "u", MaxParts = 1000 };

        var xml = Render(output => ListPartsResultWriter.Write(output, result));

        Assert.Equal(
            Declaration + Root +
            "<Bucket>b</Bucket><Key>a&amp;b</Key><UploadId>u</UploadId><PartNumberMarker>0</PartNumberMarker><MaxParts>1000</MaxParts>" +
            "<IsTruncated>false</IsTruncated><StorageClass>STANDARD</StorageClass></ListPartsResult>",
            xml);
        Assert.Empty(Parse(xml).Elements(System.Xml.Linq.XName.Get("Part", Ns)));
    }
}
