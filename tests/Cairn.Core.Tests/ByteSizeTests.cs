namespace Cairn.Core.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("4096", 4096L)]
    [InlineData("4096B", 4096L)]
    [InlineData("1K", 1000L)]
    [InlineData("1KB", 1000L)]
    [InlineData("64KiB", 65536L)]
    [InlineData("64 kib", 65536L)]
    [InlineData(" 8MiB ", 8L * 1024 * 1024)]
    [InlineData("5MB", 5_000_000L)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1GiB", 1024L * 1024 * 1024)]
    [InlineData("5GiB", 5L * 1024 * 1024 * 1024)]
    public void Parse_reads_decimal_and_binary_units(string text, long expected)
    {
        Assert.Equal(expected, ByteSize.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("KiB")]
    [InlineData("-1")]
    [InlineData("1.5GiB")]
    [InlineData("12TB")]
    [InlineData("12 bytes")]
    [InlineData("0x10")]
    public void Parse_rejects_what_is_not_a_size(string text)
    {
        Assert.Throws<FormatException>(() => ByteSize.Parse(text));
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999GiB")]
    public void TryParse_returns_false_on_overflow(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ByteSize.Parse(text));
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(ByteSize.TryParse(null, out var value));
        Assert.Equal(0, value);
    }
}
