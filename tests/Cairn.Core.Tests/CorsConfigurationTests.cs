using Cairn.Core.Access;

namespace Cairn.Core.Tests;

/// <summary>CORS rules (issue 14): which rule answers an origin, method and requested headers, and which configurations PutBucketCors refuses.</summary>
public sealed class CorsConfigurationTests
{
    private static CorsRule Rule(string[] origins, string[] methods, string[]? headers = null, string? id = null) =>
        new(id, origins, methods, headers ?? [], [], null);

    private static readonly CorsConfiguration Configuration = new(
    [
        Rule(["https://app.example.com"], ["GET", "PUT", "POST"], ["content-type", "x-amz-*"], id: "app"),
        Rule(["https://*.example.org"], ["GET"], id: "org"),
        Rule(["*"], ["HEAD"], id: "any"),
    ]);

    [Theory]
    [InlineData("https://app.example.com", "PUT", "", "app")]
    [InlineData("https://app.example.com", "POST", "Content-Type, X-Amz-Date", "app")]
    [InlineData("https://app.example.com", "PUT", "authorization", null)]
    [InlineData("https://app.example.com", "DELETE", "", null)]
    [InlineData("https://APP.example.com", "GET", "", null)]
    [InlineData("https://docs.example.org", "GET", "", "org")]
    [InlineData("https://example.org", "GET", "", null)]
    [InlineData("https://docs.example.org", "PUT", "", null)]
    [InlineData("http://anything.test", "HEAD", "", "any")]
    public void The_first_rule_allowing_origin_method_and_headers_answers(string origin, string method, string headers, string? rule)
    {
        var requested = headers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        Assert.Equal(rule, Configuration.Match(origin, method, requested)?.Id);
    }

    [Fact]
    public void A_configuration_S3_accepts_has_no_problem()
    {
        Assert.Null(Configuration.Problem());
    }

    [Theory]
    [InlineData("PATCH", "https://a.test", "", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH")]
    [InlineData("get", "https://a.test", "", "Found unsupported HTTP method in CORS config. Unsupported method is get")]
    [InlineData("GET", "https://*.*.test", "", "AllowedOrigin \"https://*.*.test\" can not have more than one wildcard.")]
    [InlineData("GET", "https://a.test", "x-*-*", "AllowedHeader \"x-*-*\" can not have more than one wildcard.")]
    public void A_rule_S3_refuses_is_named(string method, string origin, string header, string problem)
    {
        var configuration = new CorsConfiguration([Rule([origin], [method], header.Length == 0 ? [] : [header])]);

        Assert.Equal(problem, configuration.Problem());
    }

    [Fact]
    public void No_rules_too_many_rules_and_a_rule_without_origin_are_refused()
    {
        Assert.NotNull(new CorsConfiguration([]).Problem());
        Assert.NotNull(new CorsConfiguration([.. Enumerable.Repeat(Rule(["*"], ["GET"]), CorsConfiguration.MaxRules + 1)]).Problem());
        Assert.NotNull(new CorsConfiguration([Rule([], ["GET"])]).Problem());
        Assert.NotNull(new CorsConfiguration([new CorsRule(null, ["*"], ["GET"], [], [], -1)]).Problem());
    }
}
