using System.Text;
using System.Text.Json;

namespace Cairn.Metadata.Tests;

/// <summary>
/// A journal record that is not one is refused as such, never read as an empty version; an
/// encrypted version's envelope survives the record, and an unencrypted one writes no field for it.
/// </summary>
public sealed class JournalRecordFormatTests
{
    private static ObjectVersionRecord Version(byte[]? encryption) => new()
    {
        Bucket = "b",
        Key = "k",
        VersionId = "v1",
        Size = 5,
        ETag = "etag",
        LastModified = new DateTimeOffset(2025, 3, 1, 12, 0, 0, 123, TimeSpan.Zero),
        InlineBody = [1, 2, 3, 4, 5],
        Encryption = encryption,
    };

    [Fact]
    public void A_version_with_an_encryption_envelope_round_trips_it_as_base64_under_enc()
    {
        // Arrange
        byte[] envelope = [0x00, 0x01, 0xFE, 0xFF, .. "sealed data key"u8];

        // Act
        var record = JournalRecordFormat.Encode(Version(envelope));
        var decoded = JournalRecordFormat.Decode(record, "b", "k");

        // Assert
        Assert.Equal(envelope, decoded.Encryption);
        Assert.Equal([1, 2, 3, 4, 5], decoded.InlineBody);
        using var json = JsonDocument.Parse(record);
        Assert.Equal(Convert.ToBase64String(envelope), json.RootElement.GetProperty("enc").GetString());
    }

    [Fact]
    public void A_version_without_encryption_has_no_enc_field_and_decodes_to_null()
    {
        // Act
        var record = JournalRecordFormat.Encode(Version(null));
        var decoded = JournalRecordFormat.Decode(record, "b", "k");

        // Assert
        using var json = JsonDocument.Parse(record);
        Assert.False(json.RootElement.TryGetProperty("enc", out _));
        Assert.Null(decoded.Encryption);
    }

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
