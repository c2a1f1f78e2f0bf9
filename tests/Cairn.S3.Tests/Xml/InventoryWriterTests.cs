using Cairn.Core;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class InventoryWriterTests
{
    private const string Ns = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    private static readonly InventoryConfiguration Full = new()
    {
        Id = "report1",
        Enabled = true,
        DestinationBucket = "destination-bucket",
        DestinationAccountId = "123456789012",
        DestinationPrefix = "prefix1",
        Format = InventoryFormat.Csv,
        FilterPrefix = "prefix/One",
        AllVersions = true,
        OptionalFields = [InventoryField.ETag, InventoryField.Size],
        Frequency = InventoryFrequency.Daily,
    };

    private static readonly InventoryConfiguration Bare = new()
    {
        Id = "r2",
        Enabled = false,
        DestinationBucket = "bucket2",
        Format = InventoryFormat.Parquet,
        AllVersions = false,
        Frequency = InventoryFrequency.Weekly,
    };

    private const string FullXml =
        "<Id>report1</Id><IsEnabled>true</IsEnabled><Destination><S3BucketDestination><Format>CSV</Format>" +
        "<AccountId>123456789012</AccountId><Bucket>arn:aws:s3:::destination-bucket</Bucket><Prefix>prefix1</Prefix>" +
        "</S3BucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><Filter><Prefix>prefix/One</Prefix></Filter>" +
        "<IncludedObjectVersions>All</IncludedObjectVersions><OptionalFields><Field>ETag</Field><Field>Size</Field></OptionalFields>";

    private const string BareXml =
        "<Id>r2</Id><IsEnabled>false</IsEnabled><Destination><S3BucketDestination><Format>Parquet</Format>" +
        "<Bucket>arn:aws:s3:::bucket2</Bucket></S3BucketDestination></Destination><Schedule><Frequency>Weekly</Frequency></Schedule>" +
        "<IncludedObjectVersions>Current</IncludedObjectVersions>";

    [Fact]
    public void A_configuration_is_written_in_S3s_element_order_with_its_fields_in_the_order_put()
    {
        var xml = Render(output => InventoryWriter.WriteConfiguration(output, Full));

        Assert.Equal(Declaration + $"<InventoryConfiguration{Ns}>" + FullXml + "</InventoryConfiguration>", xml);
        AssertSameInventory(Full, S3XmlReader.ReadInventoryConfiguration(Utf8Stream(xml), "report1"));
    }

    [Fact]
    public void A_configuration_without_account_prefix_filter_or_fields_writes_none_of_them()
    {
        var xml = Render(output => InventoryWriter.WriteConfiguration(output, Bare));

        Assert.Equal(Declaration + $"<InventoryConfiguration{Ns}>" + BareXml + "</InventoryConfiguration>", xml);
        AssertSameInventory(Bare, S3XmlReader.ReadInventoryConfiguration(Utf8Stream(xml), "r2"));
    }

    [Fact]
    public void An_empty_filter_prefix_is_kept_and_text_is_escaped()
    {
        var configuration = Bare with { FilterPrefix = "", DestinationPrefix = "a&b<c>" };

        var xml = Render(output => InventoryWriter.WriteConfiguration(output, configuration));

        Assert.Contains("<Bucket>arn:aws:s3:::bucket2</Bucket><Prefix>a&amp;b&lt;c&gt;</Prefix>", xml, StringComparison.Ordinal);
        Assert.Contains("</Schedule><Filter><Prefix></Prefix></Filter><IncludedObjectVersions>", xml, StringComparison.Ordinal);
        AssertSameInventory(configuration, S3XmlReader.ReadInventoryConfiguration(Utf8Stream(xml), "r2"));
    }

    [Fact]
    public void A_list_writes_the_configurations_then_IsTruncated_and_the_tokens()
    {
        var xml = Render(output => InventoryWriter.WriteList(output, [Full, Bare], isTruncated: true, "token1", "token2"));

        Assert.Equal(Declaration + $"<ListInventoryConfigurationsResult{Ns}>" +
            "<InventoryConfiguration>" + FullXml + "</InventoryConfiguration>" +
            "<InventoryConfiguration>" + BareXml + "</InventoryConfiguration>" +
            "<IsTruncated>true</IsTruncated><ContinuationToken>token1</ContinuationToken><NextContinuationToken>token2</NextContinuationToken>" +
            "</ListInventoryConfigurationsResult>", xml);
    }

    [Fact]
    public void An_empty_list_is_IsTruncated_false_alone()
    {
        var xml = Render(output => InventoryWriter.WriteList(output, [], isTruncated: false));

        // What S3 answers for a bucket with no inventory configuration, its prolog aside.
        Assert.Equal(Declaration + $"<ListInventoryConfigurationsResult{Ns}><IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>", xml);
    }

    [Theory]
    [InlineData(InventoryFormat.Csv, "CSV")]
    [InlineData(InventoryFormat.Parquet, "Parquet")]
    [InlineData(InventoryFormat.Orc, "ORC")]
    public void Formats_are_written_as_S3_spells_them(InventoryFormat format, string expected)
    {
        Assert.Equal(expected, InventoryWriter.FormatName(format));
    }
}
