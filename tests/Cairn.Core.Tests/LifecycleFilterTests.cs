namespace Cairn.Core.Tests;

/// <summary>A lifecycle rule's filter: every condition it has must hold (prefix, each tag, each size bound, strictly).</summary>
public sealed class LifecycleFilterTests
{
    private static readonly Dictionary<string, string> ColdTags = new() { ["class"] = "cold", ["team"] = "a" };

    [Theory]
    [InlineData("logs/a", 10, true)]
    [InlineData("logs", 10, false)] // the prefix is "logs/"
    [InlineData("Logs/a", 10, false)] // ordinal
    [InlineData("logs/a", 5, false)] // sizes are strict bounds
    [InlineData("logs/a", 6, true)]
    [InlineData("logs/a", 99, true)]
    [InlineData("logs/a", 100, false)]
    public void Prefix_and_sizes_must_all_hold(string key, long size, bool matches)
    {
        var filter = new LifecycleFilter { Prefix = "logs/", SizeGreaterThan = 5, SizeLessThan = 100 };

        Assert.Equal(matches, filter.Matches(key, size, ColdTags));
    }

    [Fact]
    public void Every_tag_must_be_on_the_object_with_its_value()
    {
        var filter = new LifecycleFilter { Tags = [new("class", "cold"), new("team", "a")] };

        Assert.True(filter.Matches("k", 0, ColdTags));
        Assert.False(filter.Matches("k", 0, new Dictionary<string, string> { ["class"] = "cold" }));
        Assert.False(filter.Matches("k", 0, new Dictionary<string, string> { ["class"] = "cold", ["team"] = "b" }));
        Assert.True(new LifecycleFilter().Matches("anything", 0, new Dictionary<string, string>()));
    }
}
