using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ListMultipartUploadsResultWriterTests
{
    private const string Root = "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

    private static readonly DateTimeOffset Initiated = new(2010, 11, 10, 20, 48, 33, TimeSpan.Zero);

    [Fact]
    public void A_truncated_page_matches_the_API_reference_example()
    {
        // Arrange: the first upload of the ListMultipartUploads reference example.
        var result = new ListMultipartUploadsResult
        {
            Bucket = "bucket",
            NextKeyMarker = "my-movie.m2ts",
            NextUploadIdMarker = "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ",
            MaxUploads = 3,
            IsTruncated = true,
            Uploads =
            [
                new UploadEntry("my-divisor", "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw", Initiated)
                {
                    Initiator = new S3Owner("arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de", "user1-11111a31-17b5-4fb7-9df5-b111111f13de"),
                    Owner = new S3Owner("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", "OwnerDisplayName"),
                },
            ],
        };

        // Act
        var xml = Render(output => ListMultipartUploadsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker>my-movie.m2ts</NextKeyMarker>" +
            "<NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker><MaxUploads>3</MaxUploads><IsTruncated>true</IsTruncated>" +
            "<Upload><Key>my-divisor</Key><UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>" +
            "<Initiator><ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID><DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName></Initiator>" +
            "<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>OwnerDisplayName</DisplayName></Owner>" +
            "<StorageClass>STANDARD</StorageClass><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload></ListMultipartUploadsResult>",
            xml);
    }

    [Fact]
    public void Prefix_delimiter_common_prefixes_checksums_and_encoding_type_are_written_in_order()
    {
        // Arrange
        var result = new ListMultipartUploadsResult
        {
            Bucket = "photos",
            KeyMarker = "videos/a.mp4",
            UploadIdMarker = "u0",
            Prefix = "videos/",
            Delimiter = "/",
            MaxUploads = 1000,
            Uploads = [new UploadEntry("videos/b+c.mp4", "u1", Initiated) { ChecksumAlgorithm = "CRC64NVME", ChecksumType = "FULL_OBJECT" }],
            CommonPrefixes = ["videos/raw/", "videos/x%26y/"],
            EncodingType = "url",
        };

        // Act
        var xml = Render(output => ListMultipartUploadsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Bucket>photos</Bucket><KeyMarker>videos/a.mp4</KeyMarker><UploadIdMarker>u0</UploadIdMarker><Prefix>videos/</Prefix><Delimiter>/</Delimiter>" +
            "<MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>" +
            "<Upload><Key>videos/b+c.mp4</Key><UploadId>u1</UploadId><StorageClass>STANDARD</StorageClass><Initiated>2010-11-10T20:48:33.000Z</Initiated>" +
            "<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType></Upload>" +
            "<CommonPrefixes><Prefix>videos/raw/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>videos/x%26y/</Prefix></CommonPrefixes>" +
            "<EncodingType>url</EncodingType></ListMultipartUploadsResult>",
            xml);
    }

    [Fact]
    public void An_empty_listing_still_sends_both_markers()
    {
        var xml = Render(output => ListMultipartUploadsResultWriter.Write(output, new ListMultipartUploadsResult { Bucket = "b", MaxUploads = 1000 }));

        Assert.Equal(
            Declaration + Root +
            "<Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>" +
            "</ListMultipartUploadsResult>",
            xml);
        Assert.NotNull(Parse(xml));
    }
}
