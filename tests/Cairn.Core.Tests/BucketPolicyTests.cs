using Cairn.Core.Access;

namespace Cairn.Core.Tests;

/// <summary>
/// Bucket policy evaluation (issue 14): a table of policies × requests × decisions (explicit deny
/// winning, wildcards, principals, anonymous requests, conditions on prefix, source IP, secure
/// transport, strings and dates), and the policies PutBucketPolicy must refuse, each with S3's reason.
/// </summary>
public sealed class BucketPolicyTests
{
    private const string Bucket = "photos";

    private static string Policy(params string[] statements) =>
        $$"""{"Version": "2012-10-17", "Statement": [{{string.Join(", ", statements)}}]}""";

    private static string Statement(string effect, string principal, string action, string resource, string? condition = null) =>
        $$"""{"Effect": "{{effect}}", "Principal": {{principal}}, "Action": {{action}}, "Resource": {{resource}}{{(condition is null ? "" : ", \"Condition\": " + condition)}}}""";

    private const string Everyone = "\"*\"";
    private const string Alice = """{"AWS": "arn:aws:iam:::user/alice"}""";
    private const string AliceAndBob = """{"AWS": ["arn:aws:iam:::user/alice", "arn:aws:iam:::user/bob"]}""";

    private static PolicyRequest Request(string? user, string action, string key, Dictionary<string, string>? values = null) =>
        new(user, action, key.Length == 0 ? "arn:aws:s3:::" + Bucket : $"arn:aws:s3:::{Bucket}/{key}",
            new Dictionary<string, string>(values ?? [], StringComparer.OrdinalIgnoreCase));

    public static TheoryData<string, string, PolicyRequest, PolicyDecision> Table()
    {
        var publicRead = Policy(Statement("Allow", Everyone, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\""));
        var aliceAll = Policy(Statement("Allow", Alice, "\"s3:*\"", """["arn:aws:s3:::photos", "arn:aws:s3:::photos/*"]"""));
        var denyWins = Policy(
            Statement("Allow", AliceAndBob, "\"s3:*\"", "\"arn:aws:s3:::photos/*\""),
            Statement("Deny", Alice, "\"s3:DeleteObject\"", "\"arn:aws:s3:::photos/archive/*\""));
        var prefixList = Policy(Statement("Allow", Alice, "\"s3:ListBucket\"", "\"arn:aws:s3:::photos\"",
            """{"StringLike": {"s3:prefix": ["home/alice/*", "shared/"]}}"""));
        var fromLan = Policy(Statement("Allow", Everyone, "\"s3:Get*\"", "\"arn:aws:s3:::photos/*\"",
            """{"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::1"]}}"""));
        var tlsOnly = Policy(
            Statement("Allow", Everyone, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\""),
            Statement("Deny", Everyone, "\"s3:*\"", "\"arn:aws:s3:::photos/*\"", """{"Bool": {"aws:SecureTransport": "false"}}"""));
        var untilNewYear = Policy(Statement("Allow", Alice, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/?.jpg\"",
            """{"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}}"""));
        var notFromOffice = Policy(
            Statement("Allow", Alice, "\"s3:PutObject\"", "\"arn:aws:s3:::photos/*\""),
            Statement("Deny", Alice, "\"s3:PutObject\"", "\"arn:aws:s3:::photos/*\"", """{"NotIpAddress": {"aws:SourceIp": "192.168.1.0/24"}}"""));
        var ifExists = Policy(Statement("Allow", Everyone, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\"",
            """{"StringEqualsIfExists": {"aws:Referer": "https://example.com/"}}"""));
        var hostBits = Policy(Statement("Allow", Everyone, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\"",
            """{"IpAddress": {"aws:SourceIp": "10.9.9.9/8"}}"""));
        var nullKey = Policy(Statement("Deny", Everyone, "\"s3:ListBucket\"", "\"arn:aws:s3:::photos\"", """{"Null": {"s3:prefix": "true"}}"""));
        var maxKeys = Policy(Statement("Allow", AliceAndBob, "\"s3:ListBucket\"", "\"arn:aws:s3:::photos\"",
            """{"NumericLessThanEquals": {"s3:max-keys": "100"}}"""));
        var notTwoPrefixes = Policy(Statement("Deny", Everyone, "\"s3:ListBucket\"", "\"arn:aws:s3:::photos\"",
            """{"StringNotEquals": {"s3:prefix": ["public/", "shared/"]}}"""));
        var upperAlice = Policy(Statement("Allow", """{"AWS": "arn:aws:iam:::user/ALICE"}""", "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\""));
        var lan = new Dictionary<string, string> { ["aws:SourceIp"] = "10.1.2.3" };
        var wan = new Dictionary<string, string> { ["aws:SourceIp"] = "203.0.113.9" };
        return new TheoryData<string, string, PolicyRequest, PolicyDecision>
        {
            { "public read: anonymous GET", publicRead, Request(null, "s3:GetObject", "a/b.jpg"), PolicyDecision.Allow },
            { "public read: a user's GET", publicRead, Request("bob", "s3:GetObject", "x"), PolicyDecision.Allow },
            { "public read: anonymous PUT not granted", publicRead, Request(null, "s3:PutObject", "x"), PolicyDecision.NotApplicable },
            { "public read: listing not granted", publicRead, Request(null, "s3:ListBucket", ""), PolicyDecision.NotApplicable },
            { "user grant: alice, any action, bucket ARN", aliceAll, Request("alice", "s3:ListBucket", ""), PolicyDecision.Allow },
            { "user grant: action matched without regard to case", aliceAll, Request("alice", "S3:PUTOBJECT", "k"), PolicyDecision.Allow },
            { "user grant: bob is not named", aliceAll, Request("bob", "s3:GetObject", "k"), PolicyDecision.NotApplicable },
            { "user grant: anonymous is not alice", aliceAll, Request(null, "s3:GetObject", "k"), PolicyDecision.NotApplicable },
            { "deny wins over allow for alice", denyWins, Request("alice", "s3:DeleteObject", "archive/2020/x"), PolicyDecision.Deny },
            { "deny is scoped: bob may delete there", denyWins, Request("bob", "s3:DeleteObject", "archive/2020/x"), PolicyDecision.Allow },
            { "deny is scoped: alice elsewhere", denyWins, Request("alice", "s3:DeleteObject", "inbox/x"), PolicyDecision.Allow },
            { "resource case matters", denyWins, Request("alice", "s3:DeleteObject", "Archive/x"), PolicyDecision.Allow },
            { "prefix condition holds", prefixList, Request("alice", "s3:ListBucket", "", new() { ["s3:prefix"] = "home/alice/docs/" }), PolicyDecision.Allow },
            { "prefix condition, second value", prefixList, Request("alice", "s3:ListBucket", "", new() { ["s3:prefix"] = "shared/" }), PolicyDecision.Allow },
            { "prefix condition fails", prefixList, Request("alice", "s3:ListBucket", "", new() { ["s3:prefix"] = "home/bob/" }), PolicyDecision.NotApplicable },
            { "prefix condition, key absent", prefixList, Request("alice", "s3:ListBucket", ""), PolicyDecision.NotApplicable },
            { "condition keys without regard to case", prefixList, Request("alice", "s3:ListBucket", "", new() { ["S3:Prefix"] = "shared/" }), PolicyDecision.Allow },
            { "source IP in range", fromLan, Request(null, "s3:GetObjectVersion", "k", lan), PolicyDecision.Allow },
            { "source IP single IPv6", fromLan, Request(null, "s3:GetObject", "k", new() { ["aws:SourceIp"] = "::1" }), PolicyDecision.Allow },
            { "source IP out of range", fromLan, Request(null, "s3:GetObject", "k", wan), PolicyDecision.NotApplicable },
            { "action wildcard does not reach PutObject", fromLan, Request(null, "s3:PutObject", "k", lan), PolicyDecision.NotApplicable },
            { "plain HTTP denied", tlsOnly, Request(null, "s3:GetObject", "k", new() { ["aws:SecureTransport"] = "false" }), PolicyDecision.Deny },
            { "HTTPS allowed", tlsOnly, Request(null, "s3:GetObject", "k", new() { ["aws:SecureTransport"] = "true" }), PolicyDecision.Allow },
            { "date before", untilNewYear, Request("alice", "s3:GetObject", "a.jpg", new() { ["aws:CurrentTime"] = "2026-12-05T12:00:00Z" }), PolicyDecision.Allow },
            { "date after", untilNewYear, Request("alice", "s3:GetObject", "a.jpg", new() { ["aws:CurrentTime"] = "2027-01-01T00:00:00Z" }), PolicyDecision.NotApplicable },
            { "? is one character", untilNewYear, Request("alice", "s3:GetObject", "ab.jpg", new() { ["aws:CurrentTime"] = "2026-12-05T12:00:00Z" }), PolicyDecision.NotApplicable },
            { "negated operator: from the office", notFromOffice, Request("alice", "s3:PutObject", "k", new() { ["aws:SourceIp"] = "192.168.1.20" }), PolicyDecision.Allow },
            { "negated operator: elsewhere", notFromOffice, Request("alice", "s3:PutObject", "k", wan), PolicyDecision.Deny },
            { "negated operator: key absent holds", notFromOffice, Request("alice", "s3:PutObject", "k"), PolicyDecision.Deny },
            { "IfExists: key absent", ifExists, Request(null, "s3:GetObject", "k"), PolicyDecision.Allow },
            { "IfExists: key present and equal", ifExists, Request(null, "s3:GetObject", "k", new() { ["aws:Referer"] = "https://example.com/" }), PolicyDecision.Allow },
            { "IfExists: key present and different", ifExists, Request(null, "s3:GetObject", "k", new() { ["aws:Referer"] = "https://evil.example/" }), PolicyDecision.NotApplicable },
            { "network written with host bits", hostBits, Request(null, "s3:GetObject", "k", lan), PolicyDecision.Allow },
            { "network written with host bits, outside", hostBits, Request(null, "s3:GetObject", "k", wan), PolicyDecision.NotApplicable },
            { "IPv4-mapped IPv6 source", hostBits, Request(null, "s3:GetObject", "k", new() { ["aws:SourceIp"] = "::ffff:10.2.3.4" }), PolicyDecision.Allow },
            { "Null true: key absent", nullKey, Request("bob", "s3:ListBucket", ""), PolicyDecision.Deny },
            { "Null true: key present", nullKey, Request("bob", "s3:ListBucket", "", new() { ["s3:prefix"] = "a/" }), PolicyDecision.NotApplicable },
            { "numeric within", maxKeys, Request("bob", "s3:ListBucket", "", new() { ["s3:max-keys"] = "100" }), PolicyDecision.Allow },
            { "numeric over", maxKeys, Request("bob", "s3:ListBucket", "", new() { ["s3:max-keys"] = "1000" }), PolicyDecision.NotApplicable },
            { "negated with two values: one matches", notTwoPrefixes, Request(null, "s3:ListBucket", "", new() { ["s3:prefix"] = "shared/" }), PolicyDecision.NotApplicable },
            { "negated with two values: none matches", notTwoPrefixes, Request(null, "s3:ListBucket", "", new() { ["s3:prefix"] = "private/" }), PolicyDecision.Deny },
            { "user names without regard to case", upperAlice, Request("alice", "s3:GetObject", "k"), PolicyDecision.Allow },
        };
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void A_policy_judges_a_request(string name, string policy, PolicyRequest request, PolicyDecision expected)
    {
        Assert.True(expected == BucketPolicy.Parse(policy, Bucket).Evaluate(request), name);
    }

    [Theory]
    [InlineData("not json", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("[]", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("""{"Version": "2012-10-17"}""", "Missing required field Statement")]
    [InlineData("""{"Version": "2020-01-01", "Statement": []}""", "The policy must contain a valid version string")]
    [InlineData("""{"Version": "2012-10-17", "Statement": []}""", "Could not parse the policy: Statement is empty!")]
    [InlineData("""{"Version": "2012-10-17", "Statment": []}""", "Unknown field Statment")]
    [InlineData("""{"Statement": [{"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Missing required field Effect")]
    [InlineData("""{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Invalid effect: Maybe")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Missing required field Principal")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "alice", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Invalid principal in policy")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123:role/x"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Invalid principal in policy")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Invalid principal in policy")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "arn:aws:s3:::photos/*"}]}""", "Policy has invalid action")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": [], "Resource": "arn:aws:s3:::photos/*"}]}""", "Action must be a string or a non-empty list of strings")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}""", "Policy has invalid resource")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "photos/*"}]}""", "Policy has invalid resource")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}]}""", "Missing required field Resource")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "NotPrincipal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "NotPrincipal is not supported by this server; write the statement with Principal")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"StringSorta": {"s3:prefix": "a"}}}]}""", "Invalid Condition type : StringSorta")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1"}}}]}""", "Invalid value for condition IpAddress aws:SourceIp: 300.1.1.1")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}]}""", "Invalid value for condition DateLessThan aws:CurrentTime: tomorrow")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"Bool": {"aws:SecureTransport": "maybe"}}}]}""", "Invalid value for condition Bool aws:SecureTransport: maybe")]
    [InlineData("""{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObjcet", "Resource": "arn:aws:s3:::photos/*"}]}""", "Policy has invalid action")]
    [InlineData("""{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:Frobnicate*", "Resource": "arn:aws:s3:::photos/*"}]}""", "Policy has invalid action")]
    [InlineData("""{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*", "Condition": {"StringEquals": {"s3:authType": "REST-QUERY-STRING"}}}]}""", "Policy has an invalid condition key: s3:authType")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/home/${aws:username}/*"}]}""", "Policy variables (${...}) are not supported by this server")]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos", "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}}]}""", "Policy variables (${...}) are not supported by this server")]
    [InlineData("""{"Version": 2012, "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Policies must be valid JSON and the first byte must be '{'")]
    [InlineData("""{"Statement": [{"Effect": true, "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", "Policies must be valid JSON and the first byte must be '{'")]
    public void A_malformed_policy_is_refused_with_the_reason(string policy, string reason)
    {
        var error = Assert.Throws<PolicyException>(() => BucketPolicy.Parse(policy, Bucket));

        Assert.Equal(reason, error.Message);
    }

    [Fact]
    public void A_policy_over_20_KB_is_refused()
    {
        var padding = new string('x', BucketPolicy.MaxBytes);
        var policy = Policy(Statement("Allow", Everyone, "\"s3:GetObject\"", "\"arn:aws:s3:::photos/*\"")).Replace("\"Version\"", $"\"Id\": \"{padding}\", \"Version\"",
            StringComparison.Ordinal);

        Assert.Equal("Policies cannot exceed 20 KB in size.", Assert.Throws<PolicyException>(() => BucketPolicy.Parse(policy, Bucket)).Message);
    }

    [Theory]
    [InlineData("""{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}}""", true)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"}]}""", true)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}""", false)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam:::user/alice"}, "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"}]}""", false)]
    [InlineData("""{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/*"}]}""", false)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}""", true)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}}]}""", true)]
    [InlineData("""{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}]}""", true)]
    public void A_policy_is_public_when_it_allows_everyone_from_anywhere(string policy, bool isPublic)
    {
        Assert.Equal(isPublic, BucketPolicy.Parse(policy, Bucket).IsPublic);
    }

    [Theory]
    [InlineData("*", "", true)]
    [InlineData("*", "anything", true)]
    [InlineData("a*c", "abbbc", true)]
    [InlineData("a*c", "abbbd", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*a*b*c*", "xxaxxbxxcxx", true)]
    [InlineData("a*", "b", false)]
    [InlineData("photos/*", "photos/", true)]
    [InlineData("photos/*", "photos", false)]
    public void Wildcards_match_whole_values(string pattern, string value, bool matches)
    {
        Assert.Equal(matches, Wildcard.Matches(pattern, value, ignoreCase: false));
    }
}
