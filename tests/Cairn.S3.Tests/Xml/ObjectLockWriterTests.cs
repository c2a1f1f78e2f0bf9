using Cairn.Core;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ObjectLockWriterTests
{
    private const string Ns = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

    [Fact]
    public void A_configuration_writes_its_default_retention_as_a_rule_and_reads_back()
    {
        var configuration = new ObjectLockConfiguration(new DefaultRetention(ObjectLockMode.Governance, 30, null));

        var xml = Render(output => ObjectLockWriter.WriteConfiguration(output, configuration));

        Assert.Equal(Declaration + $"<ObjectLockConfiguration{Ns}><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>" +
            "<Mode>GOVERNANCE</Mode><Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>", xml);
        Assert.Equal(configuration, S3XmlReader.ReadObjectLockConfiguration(Utf8Stream(xml)));
    }

    [Fact]
    public void A_configuration_without_a_default_has_no_rule()
    {
        var xml = Render(output => ObjectLockWriter.WriteConfiguration(output, new ObjectLockConfiguration(null)));

        Assert.Equal(Declaration + $"<ObjectLockConfiguration{Ns}><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>", xml);
    }

    [Fact]
    public void Retention_and_legal_hold_write_S3s_shapes_with_millisecond_UTC_dates()
    {
        var retention = new ObjectRetention(ObjectLockMode.Compliance, new DateTimeOffset(2030, 1, 2, 3, 4, 5, 6, TimeSpan.FromHours(2)));

        var retentionXml = Render(output => ObjectLockWriter.WriteRetention(output, retention));
        var holdXml = Render(output => ObjectLockWriter.WriteLegalHold(output, true));

        Assert.Equal(Declaration + $"<Retention{Ns}><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-02T01:04:05.006Z</RetainUntilDate></Retention>",
            retentionXml);
        Assert.Equal(Declaration + $"<LegalHold{Ns}><Status>ON</Status></LegalHold>", holdXml);
    }
}
