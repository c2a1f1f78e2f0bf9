using System.Security.Cryptography;
using Cairn.Core;

namespace Cairn.Mst.Tests;

public class CidTests
{
    [Fact]
    public void The_raw_CID_of_no_bytes_is_the_well_known_one()
    {
        // Act
        var cid = Cid.ForRaw([]);

        // Assert (the CID every IPFS tool gives an empty file with --cid-version 1 --raw-leaves)
        Assert.Equal("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", cid.ToString());
        Assert.Equal(Cid.RawCodec, cid.Codec);
        Assert.Equal(SHA256.HashData(ReadOnlySpan<byte>.Empty), cid.Digest.ToArray());
    }

    [Fact]
    public void Text_and_binary_forms_round_trip()
    {
        // Arrange
        var cid = Cid.ForDagCbor("a block"u8);

        // Act
        var text = cid.ToString();
        var bytes = cid.ToBytes();

        // Assert
        Assert.StartsWith("bafyrei", text, StringComparison.Ordinal);
        Assert.Equal(Cid.StringLength, text.Length);
        Assert.Equal(Cid.BinaryLength, bytes.Length);
        Assert.Equal("01711220", Convert.ToHexStringLower(bytes.AsSpan(0, 4)));
        Assert.Equal(cid, Cid.Parse(text));
        Assert.Equal(cid, Cid.FromBytes(bytes));
        Assert.Equal(cid.GetHashCode(), Cid.Parse(text).GetHashCode());
        Assert.True(cid == Cid.FromDigest(Cid.DagCborCodec, cid.Digest));
        Assert.False(cid == Cid.FromDigest(Cid.RawCodec, cid.Digest));
        Assert.True(cid.Matches("a block"u8));
        Assert.False(cid.Matches("a block!"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz45")] // one short
    [InlineData("BAFYREIE5CVV4H45FEADGEUWHBCUTMH6T2CESEOCCKAHDOE6UAT64ZMZ454")] // upper case
    [InlineData("zdpuAnD6kXhNCm5CzrjEJ2RLZR4y5smaG5dL8orLqXS5aqxk1")] // base58 multibase
    [InlineData("QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR")] // CIDv0
    [InlineData("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz455")] // non-zero pad bits
    [InlineData("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz4!4")] // not base32
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")] // dag-pb codec
    public void Malformed_or_unsupported_text_is_refused(string text)
    {
        Assert.False(Cid.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Cid.Parse(text));
    }

    [Theory]
    [InlineData("0171122000")] // short
    [InlineData("1220" + "0000000000000000000000000000000000000000000000000000000000000000")] // CIDv0
    [InlineData("01711320" + "0000000000000000000000000000000000000000000000000000000000000000")] // sha2-512 code
    [InlineData("01701220" + "0000000000000000000000000000000000000000000000000000000000000000")] // dag-pb
    [InlineData("02711220" + "0000000000000000000000000000000000000000000000000000000000000000")] // version 2
    public void Malformed_or_unsupported_binary_is_refused(string hex)
    {
        Assert.False(Cid.TryReadBytes(Convert.FromHexString(hex), out _, out _));
        Assert.Throws<FormatException>(() => Cid.FromBytes(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Binary_with_trailing_bytes_is_read_as_a_prefix_but_refused_whole()
    {
        // Arrange
        var bytes = Cid.ForRaw("x"u8).ToBytes().Append((byte)0xAA).ToArray();

        // Act
        var read = Cid.TryReadBytes(bytes, out var cid, out var consumed);

        // Assert
        Assert.True(read);
        Assert.Equal(Cid.BinaryLength, consumed);
        Assert.Equal(Cid.ForRaw("x"u8), cid);
        Assert.Throws<FormatException>(() => Cid.FromBytes(bytes));
    }
}
