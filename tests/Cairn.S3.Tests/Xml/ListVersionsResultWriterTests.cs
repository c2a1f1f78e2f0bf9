using Cairn.Core;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ListVersionsResultWriterTests
{
    private const string Namespace = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private static readonly DateTimeOffset Modified = new(2009, 10, 12, 17, 50, 30, TimeSpan.Zero);

    [Fact]
    public void Versions_and_delete_markers_are_written_in_listing_order_with_the_reference_elements()
    {
        // Arrange: one version and one delete marker, as in the ListObjectVersions reference example.
        var owner = new S3Owner("75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a", "mtd@amazon.com");
        var result = new ListVersionsResult
        {
            Name = "bucket",
            Prefix = "my",
            MaxKeys = 5,
            NextKeyMarker = "my-second-image.jpg",
            NextVersionIdMarker = "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892",
            IsTruncated = true,
            Versions =
            [
                new VersionEntry("my-image.jpg", "3/L4kqtJl40Nr8X8gdRQBpUMLUo", true, Modified, "fba9dede5f27731c9771645a39863328", 434234) { Owner = owner },
                new VersionEntry("my-second-image.jpg", "03jpff543dhffds434rfdsFDN943fdsFkdmqnh892", true, Modified, "", 0)
                {
                    IsDeleteMarker = true,
                    Owner = owner,
                },
            ],
        };

        // Act
        var xml = Render(output => ListVersionsResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration + "<ListVersionsResult " + Namespace + "><Name>bucket</Name><Prefix>my</Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>" +
            "<NextKeyMarker>my-second-image.jpg</NextKeyMarker><NextVersionIdMarker>03jpff543dhffds434rfdsFDN943fdsFkdmqnh892</NextVersionIdMarker>" +
            "<MaxKeys>5</MaxKeys><IsTruncated>true</IsTruncated>" +
            "<Version><Key>my-image.jpg</Key><VersionId>3/L4kqtJl40Nr8X8gdRQBpUMLUo</VersionId><IsLatest>true</IsLatest>" +
            "<LastModified>2009-10-12T17:50:30.000Z</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>" +
            "<StorageClass>STANDARD</StorageClass><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>" +
            "<DisplayName>mtd@amazon.com</DisplayName></Owner></Version>" +
            "<DeleteMarker><Key>my-second-image.jpg</Key><VersionId>03jpff543dhffds434rfdsFDN943fdsFkdmqnh892</VersionId><IsLatest>true</IsLatest>" +
            "<LastModified>2009-10-12T17:50:30.000Z</LastModified><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>" +
            "<DisplayName>mtd@amazon.com</DisplayName></Owner></DeleteMarker></ListVersionsResult>",
            xml);
    }

    [Fact]
    public void Markers_delimiter_encoding_type_and_common_prefixes_are_written_when_given()
    {
        // Arrange
        var result = new ListVersionsResult
        {
            Name = "photos",
            KeyMarker = "a",
            VersionIdMarker = "null",
            Delimiter = "/",
            EncodingType = "url",
            MaxKeys = 1000,
            CommonPrefixes = ["b/", "c/"],
        };

        // Act
        var root = Parse(Render(output => ListVersionsResultWriter.Write(output, result)));

        // Assert
        Assert.Equal(["Name", "Prefix", "KeyMarker", "VersionIdMarker", "MaxKeys", "Delimiter", "EncodingType", "IsTruncated", "CommonPrefixes", "CommonPrefixes"],
            root.Elements().Select(static e => e.Name.LocalName));
        Assert.Equal(["b/", "c/"], root.Elements().Where(static e => e.Name.LocalName == "CommonPrefixes").Select(static e => e.Elements().Single().Value));
    }

    [Theory]
    [InlineData(BucketVersioning.Unversioned, "<VersioningConfiguration " + Namespace + "/>")]
    [InlineData(BucketVersioning.Enabled, "<VersioningConfiguration " + Namespace + "><Status>Enabled</Status></VersioningConfiguration>")]
    [InlineData(BucketVersioning.Suspended, "<VersioningConfiguration " + Namespace + "><Status>Suspended</Status></VersioningConfiguration>")]
    public void Versioning_configuration_has_a_status_only_once_versioning_was_enabled(BucketVersioning versioning, string expected)
    {
        // Act
        var xml = Render(output => VersioningConfigurationWriter.Write(output, versioning));

        // Assert
        Assert.Equal(Declaration + expected, xml);
    }
}
