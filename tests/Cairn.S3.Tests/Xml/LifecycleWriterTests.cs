using Cairn.Core;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

/// <summary>
/// GetBucketLifecycleConfiguration's answer with transitions (issue 13): S3's element order
/// (transitions after Status and before the expirations, as in the API reference's samples), and
/// what it writes reads back the same.
/// </summary>
public sealed class LifecycleWriterTests
{
    private static readonly string[] Tiers = ["cold", "archive"];

    private static readonly LifecycleRule Waterfall = new()
    {
        Id = "waterfall",
        Enabled = true,
        Filter = new LifecycleFilter { Prefix = "logs/" },
        Expiration = new LifecycleExpiration(365, null, false),
        NoncurrentDays = 90,
        NewerNoncurrentVersions = 3,
        AbortIncompleteUploadDays = 2,
        Transitions = [new LifecycleTransition(30, null, "cold"), new LifecycleTransition(180, null, "archive")],
        NoncurrentTransitions = [new LifecycleNoncurrentTransition(7, 2, "cold"), new LifecycleNoncurrentTransition(30, null, "archive")],
    };

    private static readonly LifecycleRule OnADate = new()
    {
        Id = "on a date",
        Enabled = false,
        Filter = new LifecycleFilter { Prefix = "old/", Form = LifecycleFilterForm.RulePrefix },
        Transitions = [new LifecycleTransition(null, new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), "archive")],
    };

    [Fact]
    public void Transitions_are_written_after_Status_and_before_the_expirations()
    {
        var xml = Render(output => LifecycleWriter.WriteConfiguration(output, new LifecycleConfiguration([Waterfall, OnADate])));

        Assert.Equal(Declaration + $"<LifecycleConfiguration xmlns=\"{Ns}\">" +
            "<Rule><ID>waterfall</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>" +
            "<Transition><Days>30</Days><StorageClass>cold</StorageClass></Transition>" +
            "<Transition><Days>180</Days><StorageClass>archive</StorageClass></Transition>" +
            "<NoncurrentVersionTransition><NoncurrentDays>7</NoncurrentDays><StorageClass>cold</StorageClass>" +
            "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionTransition>" +
            "<NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>archive</StorageClass></NoncurrentVersionTransition>" +
            "<Expiration><Days>365</Days></Expiration>" +
            "<NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>" +
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>" +
            "<Rule><ID>on a date</ID><Prefix>old/</Prefix><Status>Disabled</Status>" +
            "<Transition><Date>2031-01-01T00:00:00.000Z</Date><StorageClass>archive</StorageClass></Transition></Rule>" +
            "</LifecycleConfiguration>", xml);
    }

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var configuration = new LifecycleConfiguration([Waterfall, OnADate]);
        var xml = Render(output => LifecycleWriter.WriteConfiguration(output, configuration));

        var read = S3XmlReader.ReadLifecycleConfiguration(Utf8Stream(xml), static () => "unused", Tiers);

        Assert.Equal(configuration.Rules.Count, read.Rules.Count);
        for (var i = 0; i < configuration.Rules.Count; i++)
        {
            var (expected, actual) = (configuration.Rules[i], read.Rules[i]);
            // The records hold lists, which compare by reference: the lists are compared apart.
            Assert.Equal(expected.Transitions, actual.Transitions);
            Assert.Equal(expected.NoncurrentTransitions, actual.NoncurrentTransitions);
            Assert.Equal(expected.Filter.Tags, actual.Filter.Tags);
            Assert.Equal(Plain(expected), Plain(actual));
        }
    }

    private static LifecycleRule Plain(LifecycleRule rule) =>
        rule with { Transitions = [], NoncurrentTransitions = [], Filter = rule.Filter with { Tags = [] } };
}
