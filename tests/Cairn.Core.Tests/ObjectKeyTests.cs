namespace Cairn.Core.Tests;

public class ObjectKeyTests
{
    [Fact]
    public void Empty_key_is_Empty()
    {
        Assert.Equal(ObjectKey.Validity.Empty, ObjectKey.Validate(""));
    }

    [Fact]
    public void Ascii_key_of_1024_bytes_is_valid_and_1025_is_too_long()
    {
        Assert.Equal(ObjectKey.Validity.Valid, ObjectKey.Validate(new string('k', 1024)));
        Assert.Equal(ObjectKey.Validity.TooLong, ObjectKey.Validate(new string('k', 1025)));
    }

    [Fact]
    public void Length_is_counted_in_utf8_bytes_not_chars()
    {
        // 'é' is two UTF-8 bytes: 512 of them are 1024 bytes but only 512 chars.
        var twoByte = new string('é', 512);
        Assert.Equal(ObjectKey.Validity.Valid, ObjectKey.Validate(twoByte));
        Assert.Equal(ObjectKey.Validity.TooLong, ObjectKey.Validate(twoByte + "a"));

        // '€' is three bytes: 341 of them are 1023 bytes.
        var threeByte = new string('€', 341);
        Assert.Equal(ObjectKey.Validity.Valid, ObjectKey.Validate(threeByte + "a"));
        Assert.Equal(ObjectKey.Validity.TooLong, ObjectKey.Validate(threeByte + "ab"));
    }

    [Fact]
    public void Surrogate_pairs_count_four_bytes()
    {
        // U+1F600 is one code point, two UTF-16 chars, four UTF-8 bytes.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 256));
        Assert.Equal(512, emoji.Length);
        Assert.Equal(ObjectKey.Validity.Valid, ObjectKey.Validate(emoji));
        Assert.Equal(ObjectKey.Validity.TooLong, ObjectKey.Validate(emoji + "x"));
    }
}
