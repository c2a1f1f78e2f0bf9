namespace Cairn.Metadata.Tests;

/// <summary>The pauses of the shared retry loop (providers with concurrent writers).</summary>
public sealed class SqlMetadataStoreRetryTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(5, 16)]
    [InlineData(7, 64)]
    [InlineData(8, 128)]
    [InlineData(9, 250)]
    [InlineData(29, 250)]
    [InlineData(1000, 250)]
    public void Retry_pauses_are_random_below_a_ceiling_that_doubles_up_to_250_ms(int attempt, int ceilingMs)
    {
        var pauses = Enumerable.Range(0, 200).Select(_ => SqlMetadataStore.WriteRetryDelay(attempt)).ToArray();
        Assert.All(pauses, pause => Assert.InRange(pause.TotalMilliseconds, 0, ceilingMs));
        Assert.True(pauses.Distinct().Count() > 100, "the pauses are spread, not one value");
    }
}
