using Cairn.Engine.Objects;

namespace Cairn.Engine.Tests;

public sealed class ConditionAndRangeTests
{
    private static readonly DateTimeOffset Modified = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("\"abc\"", null, GetObjectStatus.Found)]
    [InlineData("\"other\"", null, GetObjectStatus.PreconditionFailed)]
    [InlineData("*", null, GetObjectStatus.Found)]
    [InlineData(null, "\"abc\"", GetObjectStatus.NotModified)]
    [InlineData(null, "\"other\"", GetObjectStatus.Found)]
    [InlineData("\"other\"", "\"abc\"", GetObjectStatus.PreconditionFailed)]
    public void ETag_conditions_follow_RFC_9110(string? ifMatch, string? ifNoneMatch, GetObjectStatus expected) =>
        Assert.Equal(expected, ReadConditionEvaluator.Evaluate(new ReadConditions(ifMatch, ifNoneMatch), "abc", Modified));

    [Fact]
    public void If_Match_true_overrides_a_failing_If_Unmodified_Since()
    {
        var conditions = new ReadConditions(IfMatch: "\"abc\"", IfUnmodifiedSince: Modified.AddDays(-1));
        Assert.Equal(GetObjectStatus.Found, ReadConditionEvaluator.Evaluate(conditions, "abc", Modified));
    }

    [Fact]
    public void If_None_Match_false_overrides_a_true_If_Modified_Since()
    {
        var conditions = new ReadConditions(IfNoneMatch: "\"other\"", IfModifiedSince: Modified.AddDays(1));
        Assert.Equal(GetObjectStatus.Found, ReadConditionEvaluator.Evaluate(conditions, "abc", Modified));
    }

    [Fact]
    public void Dates_compare_at_whole_seconds()
    {
        var withMilliseconds = Modified.AddMilliseconds(700);
        Assert.Equal(GetObjectStatus.NotModified,
            ReadConditionEvaluator.Evaluate(new ReadConditions(IfModifiedSince: Modified), "abc", withMilliseconds));
        Assert.Equal(GetObjectStatus.Found,
            ReadConditionEvaluator.Evaluate(new ReadConditions(IfUnmodifiedSince: Modified), "abc", withMilliseconds));
    }

    [Fact]
    public void Unmodified_since_an_earlier_date_fails_and_modified_since_a_later_date_is_not_modified()
    {
        Assert.Equal(GetObjectStatus.PreconditionFailed,
            ReadConditionEvaluator.Evaluate(new ReadConditions(IfUnmodifiedSince: Modified.AddSeconds(-1)), "abc", Modified));
        Assert.Equal(GetObjectStatus.NotModified,
            ReadConditionEvaluator.Evaluate(new ReadConditions(IfModifiedSince: Modified.AddSeconds(1)), "abc", Modified));
        Assert.Equal(GetObjectStatus.PreconditionFailed,
            ReadConditionEvaluator.Evaluate(new ReadConditions(IfNoneMatch: "\"abc\"", IfUnmodifiedSince: Modified.AddSeconds(-1)), "abc", Modified));
    }

    [Theory]
    [InlineData(0L, 9L, null, 100L, 0L, 10L)]
    [InlineData(90L, 200L, null, 100L, 90L, 10L)]
    [InlineData(50L, null, null, 100L, 50L, 50L)]
    [InlineData(null, null, 10L, 100L, 90L, 10L)]
    [InlineData(null, null, 500L, 100L, 0L, 100L)]
    [InlineData(99L, 99L, null, 100L, 99L, 1L)]
    public void Satisfiable_ranges_resolve(long? first, long? last, long? suffix, long size, long offset, long length) =>
        Assert.Equal((offset, length), ByteRangeResolver.Resolve(new ByteRangeRequest(first, last, suffix), size));

    [Theory]
    [InlineData(100L, null, null, 100L)]
    [InlineData(150L, 200L, null, 100L)]
    [InlineData(null, null, 0L, 100L)]
    [InlineData(0L, null, null, 0L)]
    [InlineData(null, null, 5L, 0L)]
    public void Unsatisfiable_ranges_resolve_to_null(long? first, long? last, long? suffix, long size) =>
        Assert.Null(ByteRangeResolver.Resolve(new ByteRangeRequest(first, last, suffix), size));
}
