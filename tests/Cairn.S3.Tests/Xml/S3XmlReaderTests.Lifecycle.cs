using Cairn.Core;
using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

/// <summary>
/// PutBucketLifecycleConfiguration's Transition and NoncurrentVersionTransition (issue 13): read to
/// the configured tiers, and each document S3 refuses refused with S3's code and message.
/// </summary>
public sealed partial class S3XmlReaderTests
{
    private static readonly string[] Tiers = ["cold", "archive"];

    private const string LogsFilter = "<Filter><Prefix>logs/</Prefix></Filter>";

    private static string RuleXml(string actions, string filter = LogsFilter) =>
        $"<Rule><ID>r</ID>{filter}<Status>Enabled</Status>{actions}</Rule>";

    private static string LifecycleDocument(params string[] rules) => $"<LifecycleConfiguration xmlns=\"{Ns}\">{string.Concat(rules)}</LifecycleConfiguration>";

    private static LifecycleConfiguration ReadLifecycle(string document, IReadOnlyCollection<string>? tiers = null) =>
        S3XmlReader.ReadLifecycleConfiguration(Utf8Stream(document), static () => "made-up", tiers ?? Tiers);

    private static string Transition(string timing, string tier) => $"<Transition>{timing}<StorageClass>{tier}</StorageClass></Transition>";

    private static string Days(int days) => $"<Days>{days}</Days>";

    private static string Noncurrent(int days, string tier, string extra = "") =>
        $"<NoncurrentVersionTransition><NoncurrentDays>{days}</NoncurrentDays><StorageClass>{tier}</StorageClass>{extra}</NoncurrentVersionTransition>";

    [Fact]
    public void Transitions_and_noncurrent_transitions_are_read_in_order_with_their_tiers()
    {
        var document = LifecycleDocument(RuleXml(
            Transition(Days(30), "cold") + Transition(Days(90), "archive") +
            Noncurrent(7, "cold", "<NewerNoncurrentVersions>2</NewerNoncurrentVersions>") + Noncurrent(30, "archive") +
            "<Expiration><Days>365</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>60</NoncurrentDays></NoncurrentVersionExpiration>"));

        var rule = Assert.Single(ReadLifecycle(document).Rules);

        Assert.Equal([new LifecycleTransition(30, null, "cold"), new LifecycleTransition(90, null, "archive")], rule.Transitions);
        Assert.Equal([new LifecycleNoncurrentTransition(7, 2, "cold"), new LifecycleNoncurrentTransition(30, null, "archive")], rule.NoncurrentTransitions);
        Assert.Equal(new LifecycleExpiration(365, null, false), rule.Expiration);
        Assert.Equal(60, rule.NoncurrentDays);
    }

    [Fact]
    public void A_transition_alone_is_an_action_and_may_be_at_zero_days_or_on_a_date()
    {
        var document = LifecycleDocument(
            RuleXml(Transition(Days(0), "cold")),
            RuleXml(Transition("<Date>2031-01-01T00:00:00Z</Date>", "archive"), "<Filter/>").Replace("<ID>r</ID>", "<ID>d</ID>"),
            RuleXml(Noncurrent(0, "cold"), "<Prefix>old/</Prefix>").Replace("<ID>r</ID>", "<ID>n</ID>"));

        var rules = ReadLifecycle(document).Rules;

        Assert.Equal([new LifecycleTransition(0, null, "cold")], rules[0].Transitions);
        Assert.Equal([new LifecycleTransition(null, new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero), "archive")], rules[1].Transitions);
        Assert.Equal([new LifecycleNoncurrentTransition(0, null, "cold")], rules[2].NoncurrentTransitions);
        Assert.All(rules, static rule => Assert.Null(rule.Expiration));
    }

    [Fact]
    public void An_expired_object_delete_marker_action_mixes_with_transitions_of_either_kind()
    {
        var document = LifecycleDocument(RuleXml(
            Transition("<Date>2031-01-01T00:00:00Z</Date>", "cold") + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"));

        var rule = Assert.Single(ReadLifecycle(document).Rules);

        Assert.True(rule.Expiration!.ExpiredObjectDeleteMarker);
        Assert.Single(rule.Transitions);
    }

    public static TheoryData<string, string, S3ErrorCode, string?> BadTransitions() => new()
    {
        // The tier names
        { "unknown tier", RuleXml(Transition(Days(30), "GLACIER")), S3ErrorCode.InvalidStorageClass,
            "The storage class you specified is not valid: 'GLACIER' names no tier of this server." },
        { "tier in another case", RuleXml(Transition(Days(30), "Cold")), S3ErrorCode.InvalidStorageClass,
            "The storage class you specified is not valid: 'Cold' names no tier of this server." },
        { "noncurrent to an unknown tier", RuleXml(Noncurrent(30, "GLACIER")), S3ErrorCode.InvalidStorageClass,
            "The storage class you specified is not valid: 'GLACIER' names no tier of this server." },
        // The schema
        { "days and date", RuleXml(Transition(Days(1) + "<Date>2031-01-01T00:00:00Z</Date>", "cold")), S3ErrorCode.MalformedXML, null },
        { "neither days nor date", RuleXml(Transition("", "cold")), S3ErrorCode.MalformedXML, null },
        { "no storage class", RuleXml("<Transition><Days>1</Days></Transition>"), S3ErrorCode.MalformedXML, null },
        { "unknown element in a transition", RuleXml(Transition(Days(1) + "<Colour>red</Colour>", "cold")), S3ErrorCode.MalformedXML, null },
        { "days twice", RuleXml(Transition(Days(1) + Days(2), "cold")), S3ErrorCode.MalformedXML, null },
        { "date not a date", RuleXml(Transition("<Date>tomorrow</Date>", "cold")), S3ErrorCode.MalformedXML, null },
        { "noncurrent without NoncurrentDays", RuleXml("<NoncurrentVersionTransition><StorageClass>cold</StorageClass></NoncurrentVersionTransition>"),
            S3ErrorCode.MalformedXML, null },
        { "noncurrent with Days", RuleXml(Noncurrent(1, "cold", Days(1))), S3ErrorCode.MalformedXML, null },
        { "noncurrent without storage class", RuleXml("<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionTransition>"),
            S3ErrorCode.MalformedXML, null },
        // Values
        { "negative days", RuleXml(Transition(Days(-1), "cold")), S3ErrorCode.InvalidArgument, "'Days' in Transition action must be nonnegative" },
        { "days not a number", RuleXml(Transition("<Days>x</Days>", "cold")), S3ErrorCode.InvalidArgument,
            "'Days' in Transition action must be nonnegative" },
        { "negative noncurrent days", RuleXml(Noncurrent(-1, "cold")), S3ErrorCode.InvalidArgument,
            "'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative" },
        { "date not at midnight", RuleXml(Transition("<Date>2031-01-01T10:00:00Z</Date>", "cold")), S3ErrorCode.InvalidArgument,
            "'Date' must be at midnight GMT" },
        { "no newer noncurrent versions", RuleXml(Noncurrent(1, "cold", "<NewerNoncurrentVersions>0</NewerNoncurrentVersions>")),
            S3ErrorCode.InvalidArgument, "NewerNoncurrentVersions must be between 1 and 100" },
        { "newer noncurrent versions over 100", RuleXml(Noncurrent(1, "cold", "<NewerNoncurrentVersions>101</NewerNoncurrentVersions>")),
            S3ErrorCode.InvalidArgument, "NewerNoncurrentVersions must be between 1 and 100" },
        // The rule as a whole
        { "one tier twice", RuleXml(Transition(Days(30), "cold") + Transition(Days(60), "cold")), S3ErrorCode.InvalidArgument,
            "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=logs/)'" },
        { "one day twice", RuleXml(Transition(Days(30), "cold") + Transition(Days(30), "archive")), S3ErrorCode.InvalidArgument,
            "'Days' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=logs/)'" },
        { "one date twice", RuleXml(Transition("<Date>2031-01-01T00:00:00Z</Date>", "cold") + Transition("<Date>2031-01-01T00:00:00.000Z</Date>", "archive")),
            S3ErrorCode.InvalidArgument, "'Date' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=logs/)'" },
        { "days and dates among transitions", RuleXml(Transition(Days(30), "cold") + Transition("<Date>2031-01-01T00:00:00Z</Date>", "archive")),
            S3ErrorCode.InvalidRequest, "Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '(prefix=logs/)'" },
        { "expiration days, transition date", RuleXml(Transition("<Date>2031-01-01T00:00:00Z</Date>", "cold") + "<Expiration><Days>30</Days></Expiration>"),
            S3ErrorCode.InvalidRequest, "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=logs/)'" },
        { "expiration date, transition days", RuleXml(Transition(Days(30), "cold") + "<Expiration><Date>2031-01-01T00:00:00Z</Date></Expiration>"),
            S3ErrorCode.InvalidRequest, "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=logs/)'" },
        { "expiration not after the transition", RuleXml(Transition(Days(10), "cold") + Transition(Days(30), "archive") + "<Expiration><Days>30</Days></Expiration>"),
            S3ErrorCode.InvalidArgument, "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action" },
        { "expiration date not after the transition", RuleXml(Transition("<Date>2031-01-02T00:00:00Z</Date>", "cold") +
            "<Expiration><Date>2031-01-01T00:00:00Z</Date></Expiration>"), S3ErrorCode.InvalidArgument,
            "'Date' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Date' in the Transition action" },
        { "noncurrent: one tier twice", RuleXml(Noncurrent(10, "cold") + Noncurrent(20, "cold")), S3ErrorCode.InvalidArgument,
            "'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '(prefix=logs/)'" },
        { "noncurrent: one age twice", RuleXml(Noncurrent(10, "cold") + Noncurrent(10, "archive")), S3ErrorCode.InvalidArgument,
            "'NoncurrentDays' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '(prefix=logs/)'" },
        { "noncurrent expiration not after the transition", RuleXml(Noncurrent(10, "cold") +
            "<NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays></NoncurrentVersionExpiration>"), S3ErrorCode.InvalidArgument,
            "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=logs/)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action" },
        // How the filter is named in the messages
        { "filter: empty", RuleXml(Transition(Days(30), "cold") + Transition(Days(60), "cold"), "<Filter/>"), S3ErrorCode.InvalidArgument,
            "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=)'" },
        { "filter: the rule's prefix", RuleXml(Transition(Days(30), "cold") + Transition(Days(60), "cold"), "<Prefix>old/</Prefix>"),
            S3ErrorCode.InvalidArgument, "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=old/)'" },
        { "filter: and", RuleXml(Transition(Days(30), "cold") + Transition(Days(60), "cold"),
            "<Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan>" +
            "<ObjectSizeLessThan>99</ObjectSizeLessThan></And></Filter>"), S3ErrorCode.InvalidArgument,
            "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter " +
            "'(prefix=a/ and tag=k=v and objectsizegreaterthan=10 and objectsizelessthan=99)'" },
        { "filter: one tag", RuleXml(Transition(Days(30), "cold") + Transition(Days(60), "cold"), "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>"),
            S3ErrorCode.InvalidArgument, "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(tag=k=v)'" },
    };

    [Theory]
    [MemberData(nameof(BadTransitions))]
    public void A_bad_transition_is_refused_with_S3s_code_and_message(string fault, string rule, S3ErrorCode code, string? message)
    {
        var error = Assert.Throws<S3Exception>(() => ReadLifecycle(LifecycleDocument(rule)));

        Assert.True(code == error.Code, $"{fault}: {error.Code} {error.Message}");
        Assert.Equal(message ?? S3ErrorCatalog.MessageOf(code), error.Message);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Without_configured_tiers_every_transition_is_InvalidStorageClass()
    {
        var error = Assert.Throws<S3Exception>(() => ReadLifecycle(LifecycleDocument(RuleXml(Transition(Days(30), "cold"))), []));

        Assert.Equal(S3ErrorCode.InvalidStorageClass, error.Code);
    }

    [Fact]
    public void A_value_error_names_the_argument()
    {
        var error = Assert.Throws<S3Exception>(() => ReadLifecycle(LifecycleDocument(RuleXml(Transition(Days(-3), "cold")))));

        Assert.Equal([new("ArgumentName", "Days"), new("ArgumentValue", "-3")], error.Details);
    }
}
