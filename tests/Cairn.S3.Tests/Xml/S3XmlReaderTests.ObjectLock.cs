using Cairn.Core;
using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed partial class S3XmlReaderTests
{
    private const string S3Ns = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    [Fact]
    public void ObjectLockConfiguration_reads_the_API_reference_example_and_one_without_a_rule()
    {
        var withRule = S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(
            $"<ObjectLockConfiguration{S3Ns}><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>" +
            "<Mode>COMPLIANCE</Mode><Days>50</Days></DefaultRetention></Rule></ObjectLockConfiguration>"));
        var years = S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>" +
            "<Mode>GOVERNANCE</Mode><Years>3</Years></DefaultRetention></Rule></ObjectLockConfiguration>"));
        var bare = S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(
            "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>"));

        Assert.Equal(new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Compliance, 50, null)), withRule);
        Assert.Equal(new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Governance, null, 3)), years);
        Assert.Equal(new ObjectLockConfiguration(null), bare);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<ObjectLockConfiguration/>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule/></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>WORM</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>")]
    [InlineData("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>")]
    [InlineData("<LegalHold><Status>ON</Status></LegalHold>")]
    public void ObjectLockConfiguration_with_a_structural_fault_is_MalformedXML(string body)
    {
        var error = Assert.Throws<S3Exception>(() => S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(body)));

        Assert.Equal((S3ErrorCode.MalformedXML, 400), (error.Code, error.StatusCode));
    }

    [Theory]
    [InlineData("<Days>0</Days>")]
    [InlineData("<Days>-3</Days>")]
    [InlineData("<Days>ten</Days>")]
    [InlineData("<Days>36501</Days>")]
    [InlineData("<Years>101</Years>")]
    public void A_default_retention_period_that_is_not_a_positive_integer_in_range_is_InvalidArgument(string period)
    {
        var body = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode>" +
            period + "</DefaultRetention></Rule></ObjectLockConfiguration>";

        var error = Assert.Throws<S3Exception>(() => S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(body)));

        Assert.Equal((S3ErrorCode.InvalidArgument, 400), (error.Code, error.StatusCode));
    }

    [Fact]
    public void Retention_reads_mode_and_date_and_an_empty_one_means_remove()
    {
        var retention = S3XmlReader.ReadRetention(Utf8Stream(
            $"<Retention{S3Ns}><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-02T03:04:05.678Z</RetainUntilDate></Retention>"));
        var removal = S3XmlReader.ReadRetention(Utf8Stream("<Retention/>"));

        Assert.Equal(new ObjectRetention(ObjectLockMode.Governance, new DateTimeOffset(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero)), retention);
        Assert.Null(removal);
    }

    [Theory]
    [InlineData("<Retention><Mode>GOVERNANCE</Mode></Retention>")]
    [InlineData("<Retention><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>")]
    [InlineData("<Retention><Mode>LOCKED</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>")]
    [InlineData("<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>next year</RetainUntilDate></Retention>")]
    [InlineData("<Retention>")]
    public void A_retention_with_a_fault_is_MalformedXML(string body)
    {
        var error = Assert.Throws<S3Exception>(() => S3XmlReader.ReadRetention(Utf8Stream(body)));

        Assert.Equal(S3ErrorCode.MalformedXML, error.Code);
    }

    [Theory]
    [InlineData("<LegalHold><Status>ON</Status></LegalHold>", true)]
    [InlineData("<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>OFF</Status></LegalHold>", false)]
    public void LegalHold_reads_ON_and_OFF(string body, bool expected)
    {
        Assert.Equal(expected, S3XmlReader.ReadLegalHold(Utf8Stream(body)));
    }

    [Theory]
    [InlineData("<LegalHold><Status>on</Status></LegalHold>")]
    [InlineData("<LegalHold/>")]
    [InlineData("<Retention><Status>ON</Status></Retention>")]
    public void A_legal_hold_other_than_ON_or_OFF_is_MalformedXML(string body)
    {
        Assert.Equal(S3ErrorCode.MalformedXML, Assert.Throws<S3Exception>(() => S3XmlReader.ReadLegalHold(Utf8Stream(body))).Code);
    }
}
