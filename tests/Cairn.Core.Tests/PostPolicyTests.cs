using System.Text;
using Cairn.Core.Access;

namespace Cairn.Core.Tests;

/// <summary>A browser upload's POST policy (issue 14): parsing with S3's refusals, and a table of forms against conditions.</summary>
public sealed class PostPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static PostPolicy Policy(string conditions, string expiration = "2026-12-05T13:00:00.000Z") =>
        PostPolicy.Parse(Encoding.UTF8.GetBytes($$"""{"expiration": "{{expiration}}", "conditions": [{{conditions}}]}"""));

    private static Dictionary<string, string> Form(params (string Name, string Value)[] fields)
    {
        var form = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["bucket"] = "photos" };
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }
        return form;
    }

    [Theory]
    [InlineData("""{"key": "a.txt"}""", "key", "a.txt", true)]
    [InlineData("""{"key": "a.txt"}""", "key", "A.txt", false)]
    [InlineData("""["eq", "$key", "a.txt"]""", "key", "a.txt", true)]
    [InlineData("""["eq", "$Key", "a.txt"]""", "key", "a.txt", true)]
    [InlineData("""["starts-with", "$key", "user/eric/"]""", "key", "user/eric/photo.jpg", true)]
    [InlineData("""["starts-with", "$key", "user/eric/"]""", "key", "user/bob/photo.jpg", false)]
    [InlineData("""["starts-with", "$key", ""]""", "key", "anything", true)]
    [InlineData("""["starts-with", "$Content-Type", "image/"]""", "Content-Type", "image/jpeg, image/png", true)]
    [InlineData("""["starts-with", "$Content-Type", "image/"]""", "Content-Type", "image/jpeg, text/plain", false)]
    [InlineData("""{"bucket": "photos"}""", "key", "a.txt", true)]
    [InlineData("""{"bucket": "other"}""", "key", "a.txt", false)]
    public void A_field_meets_or_breaks_a_condition(string condition, string field, string value, bool holds)
    {
        var policy = Policy(condition + """, ["starts-with", "$key", ""]""");

        var broken = policy.Check(Form((field, value)), Now);

        Assert.Equal(holds, broken is null);
    }

    [Fact]
    public void A_missing_field_breaks_an_exact_condition_but_not_an_empty_prefix()
    {
        Assert.Equal("Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"private\"]",
            Policy("""{"acl": "private"}""").Check(Form(), Now));
        Assert.Null(Policy("""["starts-with", "$x-amz-meta-tag", ""]""").Check(Form(), Now));
    }

    [Fact]
    public void Every_field_but_the_signature_policy_file_and_x_ignore_needs_a_condition()
    {
        var policy = Policy("""{"key": "a.txt"}""");

        Assert.Null(policy.Check(Form(("key", "a.txt"), ("policy", "p"), ("x-amz-signature", "s"), ("x-ignore-note", "n")), Now));
        Assert.Equal("Invalid according to Policy: Extra input fields: x-amz-meta-a, acl",
            policy.Check(Form(("key", "a.txt"), ("x-amz-meta-a", "1"), ("acl", "private")), Now));
    }

    [Fact]
    public void An_expired_policy_admits_nothing()
    {
        var policy = Policy("""{"key": "a.txt"}""", expiration: "2026-12-05T11:59:59Z");

        Assert.Equal("Invalid according to Policy: Policy expired.", policy.Check(Form(("key", "a.txt")), Now));
    }

    [Fact]
    public void The_size_range_is_the_narrowest_written()
    {
        Assert.Null(Policy("""{"key": "a"}""").ContentLengthRange);
        Assert.Equal((10L, 100L), Policy("""["content-length-range", 10, 100]""").ContentLengthRange);
        Assert.Equal((20L, 50L), Policy("""["content-length-range", 0, 50], ["content-length-range", "20", "100"]""").ContentLengthRange);
    }

    [Theory]
    [InlineData("not json", "Invalid Policy: Invalid JSON.")]
    [InlineData("""{"conditions": []}""", "Invalid Policy: Policy missing expiration.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z"}""", "Invalid Policy: Policy missing conditions.")]
    [InlineData("""{"expiration": "tomorrow", "conditions": []}""", "Invalid Policy: Invalid 'expiration' value: 'tomorrow'")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [], "extra": 1}""", "Invalid Policy: Unexpected field: 'extra'.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [{"key": 5}]}""", "Invalid Policy: Invalid Simple-Condition: value must be a string.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [["like", "$key", "a"]]}""", "Invalid Policy: Invalid Condition: unknown match 'like'.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [["eq", "key", "a"]]}""",
        "Invalid Policy: Invalid Condition: 'eq' takes a field written '$name' and a value.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [["content-length-range", 100, 10]]}""",
        "Invalid Policy: Invalid content-length-range: it takes two whole numbers, the smaller first.")]
    [InlineData("""{"expiration": "2026-12-05T13:00:00Z", "conditions": [42]}""",
        "Invalid Policy: Invalid Condition: each condition must be an object or a list.")]
    public void A_malformed_policy_is_refused_with_S3s_wording(string document, string message)
    {
        var error = Assert.Throws<PolicyException>(() => PostPolicy.Parse(Encoding.UTF8.GetBytes(document)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void The_policy_field_is_Base64()
    {
        var document = """{"expiration": "2026-12-05T13:00:00.000Z", "conditions": [{"key": "a.txt"}]}""";

        var policy = PostPolicy.ParseBase64(Convert.ToBase64String(Encoding.UTF8.GetBytes(document)));

        Assert.Equal([new PostPolicyCondition(PostPolicyMatch.Exact, "key", "a.txt")], policy.Conditions);
        Assert.Equal("Invalid Policy: Invalid JSON.", Assert.Throws<PolicyException>(() => PostPolicy.ParseBase64("%%%")).Message);
    }
}
