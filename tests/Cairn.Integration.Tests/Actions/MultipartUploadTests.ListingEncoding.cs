using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Actions;

public sealed partial class MultipartUploadTests
{
    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task ListMultipartUploads_with_encoding_type_url_encodes_keys_markers_prefix_and_delimiter_with_a_space_as_percent_20()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        foreach (var key in (string[])["a b/1", "a b/2", "a b/3", "c+d e"])
        {
            await S3.CreateUploadAsync(bucket, key);
        }
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var page = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
        {
            BucketName = bucket,
            Prefix = "a b/",
            KeyMarker = "a b/1",
            MaxUploads = 1,
            Encoding = EncodingType.Url,
        });
        var grouped = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest
        {
            BucketName = bucket,
            Delimiter = " ",
            Encoding = EncodingType.Url,
        });
        var xml = wire.Exchanges.Select(static e => XDocument.Parse(e.Body!).Root!).ToList();

        // Assert
        var ns = xml[0].Name.Namespace;
        Assert.Equal("a%20b/", xml[0].Element(ns + "Prefix")!.Value);
        Assert.Equal("a%20b/1", xml[0].Element(ns + "KeyMarker")!.Value);
        Assert.Equal(["a%20b/2"], xml[0].Elements(ns + "Upload").Select(e => e.Element(ns + "Key")!.Value));
        Assert.Equal("a%20b/2", xml[0].Element(ns + "NextKeyMarker")!.Value);
        Assert.Equal(page.NextUploadIdMarker, xml[0].Element(ns + "NextUploadIdMarker")!.Value);
        Assert.Equal("url", xml[0].Element(ns + "EncodingType")!.Value);
        Assert.Equal("%20", xml[1].Element(ns + "Delimiter")!.Value);
        Assert.Equal(["a%20", "c%2Bd%20"], xml[1].Elements(ns + "CommonPrefixes").Select(e => e.Element(ns + "Prefix")!.Value));
        Assert.Equal(["a ", "c+d "], grouped.CommonPrefixes.Select(Uri.UnescapeDataString));
    }

    [Fact(Timeout = 30_000)]
    [Trait("Issue", "10")]
    public async Task ListMultipartUploads_with_an_empty_delimiter_groups_nothing_and_answers_without_a_Delimiter_element()
    {
        // Arrange
        var bucket = await S3.NewBucketAsync();
        await S3.CreateUploadAsync(bucket, "a/1");
        await S3.CreateUploadAsync(bucket, "b");
        var wire = new RecordingHttpClientFactory();
        using var s3 = fixture.Server.CreateClient(config => config.HttpClientFactory = wire);

        // Act
        var response = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Delimiter = "" });
        var exchange = Assert.Single(wire.Exchanges);
        var xml = XDocument.Parse(exchange.Body!).Root!;

        // Assert
        Assert.Contains("delimiter=&", exchange.Uri.Query + "&", StringComparison.Ordinal);
        Assert.Null(xml.Element(xml.Name.Namespace + "Delimiter"));
        Assert.Empty(response.CommonPrefixes ?? []);
        Assert.Equal(["a/1", "b"], response.MultipartUploads.Select(static u => u.Key));
    }
}
