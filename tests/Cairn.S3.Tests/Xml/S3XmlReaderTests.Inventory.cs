using Cairn.Core;
using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed partial class S3XmlReaderTests
{
    /// <summary>The API reference's PutBucketInventoryConfiguration example, without its Encryption element.</summary>
    private const string InventoryExample =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n" +
        "   <Id>report1</Id>\n" +
        "   <IsEnabled>true</IsEnabled>\n" +
        "   <Filter>\n      <Prefix>filterPrefix</Prefix>\n   </Filter>\n" +
        "   <Destination>\n      <S3BucketDestination>\n" +
        "         <Format>CSV</Format>\n" +
        "         <AccountId>123456789012</AccountId>\n" +
        "         <Bucket>arn:aws:s3:::destination-bucket</Bucket>\n" +
        "         <Prefix>prefix1</Prefix>\n" +
        "      </S3BucketDestination>\n   </Destination>\n" +
        "   <Schedule>\n      <Frequency>Daily</Frequency>\n   </Schedule>\n" +
        "   <IncludedObjectVersions>All</IncludedObjectVersions>\n" +
        "   <OptionalFields>\n      <Field>Size</Field>\n      <Field>LastModifiedDate</Field>\n      <Field>ETag</Field>\n" +
        "      <Field>StorageClass</Field>\n      <Field>IsMultipartUploaded</Field>\n      <Field>ReplicationStatus</Field>\n" +
        "      <Field>EncryptionStatus</Field>\n      <Field>ObjectLockRetainUntilDate</Field>\n      <Field>ObjectLockMode</Field>\n" +
        "      <Field>ObjectLockLegalHoldStatus</Field>\n   </OptionalFields>\n" +
        "</InventoryConfiguration>";

    /// <summary>A minimal valid document with <paramref name="replace"/>'s (old, new) pairs applied to its text.</summary>
    private static string Inventory(params (string Old, string New)[] replace)
    {
        var body = "<InventoryConfiguration><Id>r1</Id><IsEnabled>false</IsEnabled><Destination><S3BucketDestination>" +
            "<Bucket>arn:aws:s3:::reports</Bucket><Format>Parquet</Format></S3BucketDestination></Destination>" +
            "<IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Weekly</Frequency></Schedule>" +
            "</InventoryConfiguration>";
        foreach (var (old, replacement) in replace)
        {
            Assert.Contains(old, body, StringComparison.Ordinal);
            body = body.Replace(old, replacement, StringComparison.Ordinal);
        }
        return body;
    }

    private static S3Exception InventoryFails(string body, string id = "r1") =>
        Assert.Throws<S3Exception>(() => S3XmlReader.ReadInventoryConfiguration(Utf8Stream(body), id));

    [Fact]
    public void InventoryConfiguration_reads_the_API_reference_example()
    {
        var configuration = S3XmlReader.ReadInventoryConfiguration(Utf8Stream(InventoryExample), "report1");

        Assert.Equal("report1", configuration.Id);
        Assert.True(configuration.Enabled);
        Assert.Equal(("destination-bucket", "123456789012", "prefix1"),
            (configuration.DestinationBucket, configuration.DestinationAccountId, configuration.DestinationPrefix));
        Assert.Equal(InventoryFormat.Csv, configuration.Format);
        Assert.Equal("filterPrefix", configuration.FilterPrefix);
        Assert.True(configuration.AllVersions);
        Assert.Equal(InventoryFrequency.Daily, configuration.Frequency);
        Assert.Equal(
        [
            InventoryField.Size, InventoryField.LastModifiedDate, InventoryField.ETag, InventoryField.StorageClass,
            InventoryField.IsMultipartUploaded, InventoryField.ReplicationStatus, InventoryField.EncryptionStatus,
            InventoryField.ObjectLockRetainUntilDate, InventoryField.ObjectLockMode, InventoryField.ObjectLockLegalHoldStatus,
        ], configuration.OptionalFields);
    }

    [Fact]
    public void A_minimal_InventoryConfiguration_has_no_filter_account_prefix_or_fields()
    {
        var configuration = S3XmlReader.ReadInventoryConfiguration(Utf8Stream(Inventory()), "r1");

        Assert.Equal(("r1", false, "reports", InventoryFormat.Parquet, false, InventoryFrequency.Weekly),
            (configuration.Id, configuration.Enabled, configuration.DestinationBucket, configuration.Format, configuration.AllVersions,
                configuration.Frequency));
        Assert.Null(configuration.DestinationAccountId);
        Assert.Null(configuration.DestinationPrefix);
        Assert.Null(configuration.FilterPrefix);
        Assert.Empty(configuration.OptionalFields);
    }

    [Fact]
    public void InventoryConfiguration_round_trips_through_the_writer_with_every_field()
    {
        var fields = Enum.GetValues<InventoryField>().Reverse().ToList();
        var body = Inventory(
            ("<Id>r1</Id>", "<Id>Daily_report-2.v1</Id>"),
            ("<S3BucketDestination>", "<S3BucketDestination><AccountId>000000000000</AccountId><Prefix>inv/&amp;&lt;x&gt;</Prefix>"),
            ("<Schedule>", "<Filter><Prefix></Prefix></Filter><OptionalFields>" + string.Concat(fields.Select(f => $"<Field>{f}</Field>")) +
                "</OptionalFields><Schedule>"));
        var read = S3XmlReader.ReadInventoryConfiguration(Utf8Stream(body), "Daily_report-2.v1");

        var written = Render(output => InventoryWriter.WriteConfiguration(output, read));
        var again = S3XmlReader.ReadInventoryConfiguration(Utf8Stream(written), read.Id);

        Assert.Equal(("Daily_report-2.v1", "000000000000", "inv/&<x>", ""),
            (read.Id, read.DestinationAccountId, read.DestinationPrefix, read.FilterPrefix));
        Assert.Equal(fields, read.OptionalFields);
        AssertSameInventory(read, again);
    }

    [Theory]
    [InlineData("<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">", "</InventoryConfiguration>")]
    [InlineData("<s3:InventoryConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">", "</s3:InventoryConfiguration>")]
    public void InventoryConfiguration_is_read_in_the_S3_namespace_too(string start, string end)
    {
        var body = Inventory(("<InventoryConfiguration>", start), ("</InventoryConfiguration>", end));
        if (start.StartsWith("<s3:", StringComparison.Ordinal))
        {
            // Every element in the namespace, by prefix.
            body = System.Text.RegularExpressions.Regex.Replace(body, "<(/?)(?!s3:)([A-Za-z0-9]+)>", "<$1s3:$2>");
        }

        Assert.Equal("reports", S3XmlReader.ReadInventoryConfiguration(Utf8Stream(body), "r1").DestinationBucket);
    }

    [Theory]
    [InlineData("<IsEnabled>1</IsEnabled>", true)]
    [InlineData("<IsEnabled>0</IsEnabled>", false)]
    [InlineData("<IsEnabled> true </IsEnabled>", true)]
    public void IsEnabled_takes_the_xsd_boolean_forms(string isEnabled, bool expected)
    {
        var body = Inventory(("<IsEnabled>false</IsEnabled>", isEnabled));

        Assert.Equal(expected, S3XmlReader.ReadInventoryConfiguration(Utf8Stream(body), "r1").Enabled);
    }

    [Theory]
    [InlineData("<Id>r1</Id>", "<Id>" + "0123456789012345678901234567890123456789012345678901234567890123" + "</Id>")]
    [InlineData("<Id>r1</Id>", "<Id>A-b_c.9</Id>")]
    public void An_id_of_up_to_64_letters_digits_and_dashes_underscores_and_dots_is_accepted(string old, string replacement)
    {
        var id = replacement[4..^5];

        Assert.Equal(id, S3XmlReader.ReadInventoryConfiguration(Utf8Stream(Inventory((old, replacement))), id).Id);
    }

    public static TheoryData<string> MalformedInventories =>
    [
        "",
        "<InventoryConfiguration>",
        "<InventoryConfiguration/>",
        "<LifecycleConfiguration/>",
        "<InventoryConfiguration xmlns=\"urn:other\"><Id>r1</Id></InventoryConfiguration>",
        // A required element missing.
        Inventory(("<Id>r1</Id>", "")),
        Inventory(("<IsEnabled>false</IsEnabled>", "")),
        Inventory(("<Destination><S3BucketDestination><Bucket>arn:aws:s3:::reports</Bucket><Format>Parquet</Format></S3BucketDestination></Destination>", "")),
        Inventory(("<S3BucketDestination><Bucket>arn:aws:s3:::reports</Bucket><Format>Parquet</Format></S3BucketDestination>", "")),
        Inventory(("<Bucket>arn:aws:s3:::reports</Bucket>", "")),
        Inventory(("<Format>Parquet</Format>", "")),
        Inventory(("<IncludedObjectVersions>Current</IncludedObjectVersions>", "")),
        Inventory(("<Schedule><Frequency>Weekly</Frequency></Schedule>", "")),
        Inventory(("<Frequency>Weekly</Frequency>", "")),
        Inventory(("<Schedule>", "<Filter/><Schedule>")),
        Inventory(("<Schedule>", "<Filter><Prefix>a</Prefix><Prefix>b</Prefix></Filter><Schedule>")),
        // An element repeated, unknown or in another namespace.
        Inventory(("<Id>r1</Id>", "<Id>r1</Id><Id>r1</Id>")),
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><Format>CSV</Format>")),
        Inventory(("<Schedule>", "<Schedule><Frequency>Daily</Frequency></Schedule><Schedule>")),
        Inventory(("<Id>r1</Id>", "<Id>r1</Id><Status>Enabled</Status>")),
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><RoleArn>x</RoleArn>")),
        Inventory(("<Id>r1</Id>", "<Id xmlns=\"urn:other\">r1</Id>")),
        Inventory(("<Id>r1</Id>", "<Id><Value>r1</Value></Id>")),
        // A value outside its enumeration (case-sensitive, as the schema is).
        Inventory(("<IsEnabled>false</IsEnabled>", "<IsEnabled>False</IsEnabled>")),
        Inventory(("<IsEnabled>false</IsEnabled>", "<IsEnabled>yes</IsEnabled>")),
        Inventory(("<Format>Parquet</Format>", "<Format>csv</Format>")),
        Inventory(("<Format>Parquet</Format>", "<Format>JSON</Format>")),
        Inventory(("<IncludedObjectVersions>Current</IncludedObjectVersions>", "<IncludedObjectVersions>Latest</IncludedObjectVersions>")),
        Inventory(("<Frequency>Weekly</Frequency>", "<Frequency>Monthly</Frequency>")),
        Inventory(("<Frequency>Weekly</Frequency>", "<Frequency>weekly</Frequency>")),
        // An optional field S3 does not name (aws-sdk-ruby#1577: "Etag" is MalformedXML), or not a Field.
        Inventory(("<Schedule>", "<OptionalFields><Field>Etag</Field></OptionalFields><Schedule>")),
        Inventory(("<Schedule>", "<OptionalFields><Field>Size,ETag</Field></OptionalFields><Schedule>")),
        Inventory(("<Schedule>", "<OptionalFields><Field>3</Field></OptionalFields><Schedule>")),
        Inventory(("<Schedule>", "<OptionalFields><Field></Field></OptionalFields><Schedule>")),
        Inventory(("<Schedule>", "<OptionalFields><Name>Size</Name></OptionalFields><Schedule>")),
        // An id S3's schema refuses (aws-cdk#27793: over 64 characters; cfn-lint#1550: a space).
        Inventory(("<Id>r1</Id>", "<Id></Id>")),
        Inventory(("<Id>r1</Id>", "<Id>" + new string('a', 65) + "</Id>")),
        Inventory(("<Id>r1</Id>", "<Id>my daily inventory</Id>")),
        Inventory(("<Id>r1</Id>", "<Id>r/1</Id>")),
        Inventory(("<Id>r1</Id>", "<Id>r\u00e9sum\u00e9</Id>")),
        // An Encryption element that names neither SSE-S3 nor SSE-KMS with its KeyId.
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><Encryption/>")),
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><Encryption><SSE-C/></Encryption>")),
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><Encryption><SSE-KMS/></Encryption>")),
        Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format><Encryption><SSE-S3/><SSE-S3/></Encryption>")),
    ];

    [Theory]
    [MemberData(nameof(MalformedInventories))]
    public void An_InventoryConfiguration_outside_S3s_schema_is_MalformedXML(string body)
    {
        // An invalid id is checked before the comparison with the query's, so the query names the same one.
        var id = System.Text.RegularExpressions.Regex.Match(body, "<Id>([^<]*)</Id>") is { Success: true } match ? match.Groups[1].Value : "r1";

        var error = InventoryFails(body, id);

        Assert.Equal((S3ErrorCode.MalformedXML, 400), (error.Code, error.StatusCode));
    }

    [Theory]
    [InlineData("r2")]
    [InlineData("R1")]
    [InlineData("r1 ")]
    public void An_id_other_than_the_query_parameter_is_InvalidArgument(string idFromQuery)
    {
        var error = InventoryFails(Inventory(), idFromQuery);

        Assert.Equal((S3ErrorCode.InvalidArgument, 400), (error.Code, error.StatusCode));
        Assert.Equal([new("ArgumentName", "id"), new("ArgumentValue", idFromQuery)], error.Details);
    }

    [Theory]
    [InlineData("reports")]
    [InlineData("arn:aws:s3:::")]
    [InlineData("arn:aws:s3:::Reports")]
    [InlineData("arn:aws:s3:::re")]
    [InlineData("arn:aws:s3:::reports/prefix")]
    [InlineData("arn:aws-cn:s3:::reports")]
    [InlineData("arn:aws:s3:us-east-1::reports")]
    [InlineData(" arn:aws:s3:::reports")]
    public void A_destination_that_is_not_a_bucket_ARN_is_InvalidArgument(string bucket)
    {
        var error = InventoryFails(Inventory(("arn:aws:s3:::reports", bucket)));

        Assert.Equal((S3ErrorCode.InvalidArgument, 400), (error.Code, error.StatusCode));
        Assert.Equal([new("ArgumentName", "Bucket"), new("ArgumentValue", bucket)], error.Details);
    }

    [Fact]
    public void An_optional_field_listed_twice_is_InvalidArgument()
    {
        var error = InventoryFails(Inventory(("<Schedule>", "<OptionalFields><Field>Size</Field><Field>ETag</Field><Field>Size</Field></OptionalFields><Schedule>")));

        Assert.Equal((S3ErrorCode.InvalidArgument, 400), (error.Code, error.StatusCode));
        Assert.Equal([new("ArgumentName", "Field"), new("ArgumentValue", "Size")], error.Details);
    }

    [Theory]
    [InlineData("<Encryption><SSE-S3/></Encryption>", "SSE-S3")]
    [InlineData("<Encryption><SSE-KMS><KeyId>arn:aws:kms:us-west-2:111122223333:key/1234abcd</KeyId></SSE-KMS></Encryption>", "SSE-KMS")]
    public void Encrypted_reports_are_NotImplemented(string encryption, string named)
    {
        var error = InventoryFails(Inventory(("<Format>Parquet</Format>", "<Format>Parquet</Format>" + encryption)));

        Assert.Equal((S3ErrorCode.NotImplemented, 501), (error.Code, error.StatusCode));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ORC_format_is_NotImplemented_and_the_answer_names_the_formats_that_are()
    {
        var error = InventoryFails(Inventory(("<Format>Parquet</Format>", "<Format>ORC</Format>")));

        Assert.Equal((S3ErrorCode.NotImplemented, 501), (error.Code, error.StatusCode));
        Assert.Equal("The ORC inventory format is not supported: use CSV or Parquet.", error.Message);
    }

    [Fact]
    public void The_LifecycleExpirationDate_field_S3_documents_is_NotImplemented()
    {
        var error = InventoryFails(Inventory(("<Schedule>", "<OptionalFields><Field>Size</Field><Field>LifecycleExpirationDate</Field></OptionalFields><Schedule>")));

        Assert.Equal((S3ErrorCode.NotImplemented, 501), (error.Code, error.StatusCode));
    }

    [Fact]
    public void What_S3_refuses_is_answered_before_what_this_server_does_not_do()
    {
        // ORC with a mismatched id: S3 would refuse the id, so that is the answer, not 501.
        var mismatch = InventoryFails(Inventory(("<Format>Parquet</Format>", "<Format>ORC</Format>")), "other");
        // ORC with an unknown field: MalformedXML, as S3 answers.
        var malformed = InventoryFails(Inventory(("<Format>Parquet</Format>", "<Format>ORC</Format><Encryption><SSE-S3/></Encryption>"),
            ("<Schedule>", "<OptionalFields><Field>Etag</Field></OptionalFields><Schedule>")));

        Assert.Equal(S3ErrorCode.InvalidArgument, mismatch.Code);
        Assert.Equal(S3ErrorCode.MalformedXML, malformed.Code);
    }
}
