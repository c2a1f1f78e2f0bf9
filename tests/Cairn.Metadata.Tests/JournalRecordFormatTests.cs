using System.Text;

namespace Cairn.Metadata.Tests;

/// <summary>A journal record that is not one is refused as such, never read as an empty version.</summary>
public sealed class JournalRecordFormatTests
{
    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{\"s\":1}")]
    [InlineData("{\"v\":\"null\",\"s\":\"big\"}")]
    public void A_damaged_record_is_InvalidDataException(string text)
    {
        Assert.Throws<InvalidDataException>(() => JournalRecordFormat.Decode(Encoding.UTF8.GetBytes(text), "b", "k"));
    }
}
