using Cairn.Core;

namespace Cairn.Mst.Tests;

public class DagCborTests
{
    [Fact]
    public void The_writer_sorts_map_keys_length_first_then_bytewise()
    {
        // Arrange: written in reverse bytewise order; DAG-CBOR wants b, z, aa, ab, abc
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(5);
        foreach (var key in new[] { "abc", "z", "b", "ab", "aa" })
        {
            writer.WriteTextString(key);
            writer.WriteInt32(key.Length);
        }
        writer.WriteEndMap();

        // Act
        var bytes = writer.Encode();

        // Assert: a5 (map of 5) 61'b' 01 61'z' 01 62'aa' 02 62'ab' 02 63'abc' 03
        Assert.Equal("a5616201617a0162616102626162026361626303", Convert.ToHexStringLower(bytes));
        DagCbor.Validate(bytes);
    }

    [Fact]
    public void Each_ordered_encoding_holds_only_its_own_bytes_after_a_large_one_and_when_nested()
    {
        // Arrange: the thread's writer is reused between encodings (and dropped after a large one).
        static byte[] Text(string value) => DagCbor.EncodeOrdered(value, static (writer, text) => writer.WriteTextString(text));
        var large = new string('x', DagCbor.MaxKeptWriterBytes + 10);

        // Act
        var small = Text("a");
        var big = Text(large);
        var smallAgain = Text("a");
        byte[]? inner = null;
        var outer = DagCbor.EncodeOrdered(0, (writer, _) =>
        {
            writer.WriteStartArray(1);
            inner = Text("b"); // nested by mistake: it must not write into the outer encoding
            writer.WriteTextString("c");
            writer.WriteEndArray();
        });
        var afterNested = Text("a");

        // Assert
        Assert.Equal("6161", Convert.ToHexString(small));
        Assert.Equal(large, new System.Formats.Cbor.CborReader(big).ReadTextString());
        Assert.Equal(small, smallAgain);
        Assert.Equal("6162", Convert.ToHexString(inner!));
        Assert.Equal("816163", Convert.ToHexString(outer));
        Assert.Equal(small, afterNested);
    }

    [Fact]
    public void Links_are_read_in_encoding_order_through_nested_maps_and_arrays_past_strings_and_nulls()
    {
        // Arrange: {"a": [cid1, null, {"x": "text", "y": cid2}], "bb": h'00ff', "c": cid3, "d": []}
        Cid[] cids = [Cid.ForRaw([1]), Cid.ForDagCbor([2]), Cid.ForRaw([3])];
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(4);
        writer.WriteTextString("a");
        writer.WriteStartArray(3);
        DagCbor.WriteCid(writer, cids[0]);
        writer.WriteNull();
        writer.WriteStartMap(2);
        writer.WriteTextString("x");
        writer.WriteTextString("text");
        writer.WriteTextString("y");
        DagCbor.WriteCid(writer, cids[1]);
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteTextString("c");
        DagCbor.WriteCid(writer, cids[2]);
        writer.WriteTextString("d");
        writer.WriteStartArray(0);
        writer.WriteEndArray();
        writer.WriteTextString("bb");
        writer.WriteByteString([0x00, 0xff]);
        writer.WriteEndMap();
        var block = writer.Encode();

        // Act
        var links = DagCbor.ReadLinks(block);

        // Assert: map keys in DAG-CBOR order (a, c, d, bb), the links as they come
        Assert.Equal(cids, links);
        Assert.Empty(DagCbor.ReadLinks(MstNode.EmptyTreeBlock));
        Assert.Throws<DagCborException>(() => DagCbor.ReadLinks(Convert.FromHexString("d82a4100"))); // tag 42 over a byte string that is no CID
    }

    [Fact]
    public void A_CID_is_tag_42_over_a_zero_byte_and_the_binary_CID_and_reads_back()
    {
        // Arrange
        var cid = Cid.ForRaw("chunk"u8);
        var writer = DagCbor.CreateWriter();
        DagCbor.WriteCid(writer, cid);

        // Act
        var bytes = writer.Encode();
        var read = DagCbor.Decode(bytes, DagCbor.ReadCid);

        // Assert: d8 2a (tag 42) 58 25 (37 bytes) 00 01 55 12 20 ...
        Assert.Equal("d82a5825000155122" + "0", Convert.ToHexStringLower(bytes.AsSpan(0, 9)));
        Assert.Equal(cid, read);
    }

    [Theory]
    [InlineData("9f01ff", "indefinite-length array")]
    [InlineData("bf616101ff", "indefinite-length map")]
    [InlineData("7f6161ff", "indefinite-length text")]
    [InlineData("a2616201616101", "keys out of order")]
    [InlineData("a262616101616202", "longer key first (bytewise order, not DAG-CBOR's)")]
    [InlineData("a2616101616102", "duplicate keys")]
    [InlineData("a10102", "integer map key")]
    [InlineData("a1410102", "byte-string map key")]
    [InlineData("f93c00", "half float")]
    [InlineData("fa3f800000", "single float")]
    [InlineData("fb3ff0000000000000", "double float")]
    [InlineData("f7", "undefined")]
    [InlineData("f0", "simple value 16")]
    [InlineData("c11a5f5e1000", "tag 1 (epoch time)")]
    [InlineData("d82a4401711220", "tag 42 without the 0x00 prefix")]
    [InlineData("d82a450001711220", "tag 42 over a truncated CID")]
    [InlineData("d82a6161", "tag 42 over text")]
    [InlineData("1801", "integer not in shortest form")]
    [InlineData("5801ff", "byte string length not in shortest form")]
    [InlineData("0102", "two top-level items")]
    [InlineData("82", "truncated array")]
    [InlineData("62c328", "invalid UTF-8 in text")]
    [InlineData("", "nothing")]
    public void The_reader_refuses_what_strict_DAG_CBOR_does_not_allow(string hex, string why)
    {
        // Act
        var ex = Record.Exception(() => DagCbor.Validate(Convert.FromHexString(hex)));

        // Assert
        Assert.True(ex is DagCborException, $"{why}: expected DagCborException, got {ex?.GetType().Name ?? "no exception"}");
    }

    [Theory]
    [InlineData("a0")]
    [InlineData("80")]
    [InlineData("f5")]
    [InlineData("f6")]
    [InlineData("3b7fffffffffffffff")]
    [InlineData("1bffffffffffffffff")]
    [InlineData("a36161f66162f46361616180")]
    public void The_reader_accepts_strict_DAG_CBOR(string hex)
    {
        DagCbor.Validate(Convert.FromHexString(hex));
    }

    [Fact]
    public void MST_nodes_with_extra_or_missing_fields_are_refused()
    {
        // {e: [], l: null, x: 1}; {e: []}; {e: [{k, p, v}]} (no t)
        var extra = Convert.FromHexString("a3616580616cf6617801");
        var missing = Convert.FromHexString("a1616580");
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(2);
        writer.WriteTextString("e");
        writer.WriteStartArray(1);
        writer.WriteStartMap(3);
        writer.WriteTextString("k");
        writer.WriteByteString("a"u8);
        writer.WriteTextString("p");
        writer.WriteInt32(0);
        writer.WriteTextString("v");
        DagCbor.WriteCid(writer, Cid.ForRaw([]));
        writer.WriteEndMap();
        writer.WriteEndArray();
        writer.WriteTextString("l");
        writer.WriteNull();
        writer.WriteEndMap();
        var noTree = writer.Encode();

        Assert.Throws<MstFormatException>(() => MstNode.Decode(extra));
        Assert.Throws<MstFormatException>(() => MstNode.Decode(missing));
        Assert.Throws<MstFormatException>(() => MstNode.Decode(noTree));
        Assert.Empty(MstNode.Decode(MstNode.EmptyTreeBlock).Entries);
    }
}
