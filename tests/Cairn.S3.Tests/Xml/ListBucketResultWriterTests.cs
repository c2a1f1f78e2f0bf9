using System.Xml.Linq;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ListBucketResultWriterTests
{
    private const string Root = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

    [Fact]
    public void A_V2_listing_matches_the_API_reference_example()
    {
        // Arrange: the first example of the ListObjectsV2 reference.
        var result = new ListObjectsV2Result
        {
            Name = "bucket",
            MaxKeys = 1000,
            Contents = [new ObjectEntry("my-image.jpg", Time, "fba9dede5f27731c9771645a39863328", 434234)],
        };

        // Act
        var xml = Render(output => ListBucketResultWriter.WriteV2(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Name>bucket</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>" +
            "<Contents><Key>my-image.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>" +
            "</ListBucketResult>",
            xml);
    }

    [Fact]
    public void A_V2_listing_with_every_field_keeps_the_reference_order_and_counts_prefixes_as_keys()
    {
        // Arrange
        var result = new ListObjectsV2Result
        {
            Name = "example-bucket",
            Prefix = "photos/2006/",
            Delimiter = "/",
            MaxKeys = 3,
            IsTruncated = true,
            ContinuationToken = "tok1",
            NextContinuationToken = "tok2",
            StartAfter = "photos/2006/a",
            EncodingType = "url",
            Contents =
            [
                new ObjectEntry("photos/2006/", Time, "d41d8cd98f00b204e9800998ecf8427e", 0)
                {
                    Owner = new S3Owner("owner-id", "owner"),
                    ChecksumAlgorithm = "CRC32",
                    ChecksumType = "FULL_OBJECT",
                },
            ],
            CommonPrefixes = ["photos/2006/February/", "photos/2006/January/"],
        };

        // Act
        var xml = Render(output => ListBucketResultWriter.WriteV2(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Name>example-bucket</Name><Prefix>photos/2006/</Prefix><ContinuationToken>tok1</ContinuationToken>" +
            "<NextContinuationToken>tok2</NextContinuationToken><StartAfter>photos/2006/a</StartAfter>" +
            "<KeyCount>3</KeyCount><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>" +
            "<Contents><Key>photos/2006/</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>" +
            "<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>" +
            "<Size>0</Size><StorageClass>STANDARD</StorageClass><Owner><ID>owner-id</ID><DisplayName>owner</DisplayName></Owner></Contents>" +
            "<CommonPrefixes><Prefix>photos/2006/February/</Prefix></CommonPrefixes>" +
            "<CommonPrefixes><Prefix>photos/2006/January/</Prefix></CommonPrefixes>" +
            "</ListBucketResult>",
            xml);
    }

    [Fact]
    public void A_V1_listing_matches_the_API_reference_example_with_owners()
    {
        // Arrange: the ListObjects (v1) reference example.
        var owner = new S3Owner("bcaf161ca5fb16fd081034f", "webfile");
        var modified = new DateTimeOffset(2006, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var result = new ListObjectsResult
        {
            Name = "quotes",
            Prefix = "N",
            Marker = "Ned",
            MaxKeys = 40,
            Contents =
            [
                new ObjectEntry("Nelson", modified, "828ef3fdfa96f00ad9f27c383fc9ac7f", 5) { Owner = owner },
                new ObjectEntry("Neo", modified, "828ef3fdfa96f00ad9f27c383fc9ac7f", 4) { Owner = owner },
            ],
        };

        // Act
        var xml = Render(output => ListBucketResultWriter.WriteV1(output, result));

        // Assert
        const string contentsTail = "<LastModified>2006-01-01T12:00:00.000Z</LastModified><ETag>&quot;828ef3fdfa96f00ad9f27c383fc9ac7f&quot;</ETag>";
        const string ownerXml = "<StorageClass>STANDARD</StorageClass><Owner><ID>bcaf161ca5fb16fd081034f</ID><DisplayName>webfile</DisplayName></Owner>";
        Assert.Equal(
            Declaration + Root +
            "<Name>quotes</Name><Prefix>N</Prefix><Marker>Ned</Marker><MaxKeys>40</MaxKeys><IsTruncated>false</IsTruncated>" +
            "<Contents><Key>Nelson</Key>" + contentsTail + "<Size>5</Size>" + ownerXml + "</Contents>" +
            "<Contents><Key>Neo</Key>" + contentsTail + "<Size>4</Size>" + ownerXml + "</Contents>" +
            "</ListBucketResult>",
            xml);
    }

    [Fact]
    public void A_V1_listing_has_an_empty_marker_no_key_count_and_a_next_marker_when_given()
    {
        // Arrange
        var result = new ListObjectsResult
        {
            Name = "b",
            Delimiter = "/",
            MaxKeys = 1,
            IsTruncated = true,
            NextMarker = "a/",
            EncodingType = "url",
            CommonPrefixes = ["a/"],
        };

        // Act
        var xml = Render(output => ListBucketResultWriter.WriteV1(output, result));

        // Assert
        Assert.Equal(
            Declaration + Root +
            "<Name>b</Name><Prefix></Prefix><Marker></Marker><NextMarker>a/</NextMarker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>" +
            "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes></ListBucketResult>",
            xml);
        Assert.DoesNotContain("KeyCount", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_with_markup_and_unicode_survive_a_parse()
    {
        // Arrange
        string[] keys = ["a&b<c>\"d'", "caf\u00e9/\u65e5\u672c \U0001F600", "  "];
        var result = new ListObjectsV2Result
        {
            Name = "b",
            MaxKeys = 1000,
            Contents = [.. keys.Select(k => new ObjectEntry(k, Time, "e", 1))],
        };

        // Act
        var xml = Render(output => ListBucketResultWriter.WriteV2(output, result));

        // Assert
        var parsed = Parse(xml).Elements().Where(e => e.Name.LocalName == "Contents").Select(e => e.Elements().First().Value);
        Assert.Equal(keys, parsed);
    }

    [Fact]
    public void A_key_with_a_control_character_is_written_as_a_numeric_reference_and_url_encoded_when_asked()
    {
        // Arrange
        var key = "dir/x\u0001y z+";
        ListObjectsV2Result Listing(string k, string? encoding) => new()
        {
            Name = "b",
            MaxKeys = 1000,
            EncodingType = encoding,
            Contents = [new ObjectEntry(k, Time, "e", 1)],
        };

        // Act
        var raw = Render(output => ListBucketResultWriter.WriteV2(output, Listing(key, null)));
        var encoded = Render(output => ListBucketResultWriter.WriteV2(output, Listing(S3UrlEncoding.Encode(key), "url")));

        // Assert
        Assert.Contains("<Key>dir/x&#x1;y z+</Key>", raw, StringComparison.Ordinal);
        Assert.Contains("<Key>dir/x%01y%20z%2B</Key>", encoded, StringComparison.Ordinal);
        Assert.Equal("dir/x%01y%20z%2B", Parse(encoded).Descendants(XName.Get("Key", Ns)).Single().Value);
    }
}
