using System.Formats.Cbor;
using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// A bucket's tree commit, the block a verifiable bucket's history is a chain of: DAG-CBOR
/// <c>{bucket, data, format: 1, prev, seq, time}</c>. <c>data</c> links the Merkle Search Tree's
/// root node, <c>prev</c> the previous commit (null for the first), <c>seq</c> is the bucket's
/// change-journal number the tree was folded up to, <c>time</c> when, in ms since the Unix epoch.
/// </summary>
public sealed record BucketCommit(string Bucket, Cid Data, Cid? Previous, long Seq, DateTimeOffset Time)
{
    /// <summary>The only format this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The commit's DAG-CBOR block.</summary>
    public byte[] Encode()
    {
        Validate(Bucket, Data, Previous, Seq);
        var writer = DagCbor.CreateWriter();
        writer.WriteStartMap(6);
        writer.WriteTextString("bucket");
        writer.WriteTextString(Bucket);
        writer.WriteTextString("data");
        DagCbor.WriteCid(writer, Data);
        writer.WriteTextString("format");
        writer.WriteInt32(FormatVersion);
        writer.WriteTextString("prev");
        DagCbor.WriteCidOrNull(writer, Previous);
        writer.WriteTextString("seq");
        writer.WriteInt64(Seq);
        writer.WriteTextString("time");
        writer.WriteInt64(Time.ToUnixTimeMilliseconds());
        writer.WriteEndMap();
        return writer.Encode();
    }

    /// <summary>Reads a commit block, refusing anything but exactly this shape.</summary>
    /// <exception cref="DagCborException">Not strict DAG-CBOR, or not a commit.</exception>
    public static BucketCommit Decode(ReadOnlyMemory<byte> block) => DagCbor.Decode(block, static reader =>
    {
        if (reader.ReadStartMap() != 6)
        {
            throw new DagCborException("A bucket commit is a map of six fields.");
        }
        // Canonical order: shorter keys first, then bytewise (DagCbor.Decode checked the order).
        Expect(reader, "seq");
        var seq = reader.ReadInt64();
        Expect(reader, "data");
        var data = DagCbor.ReadCid(reader);
        Expect(reader, "prev");
        var previous = DagCbor.ReadCidOrNull(reader);
        Expect(reader, "time");
        var time = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
        Expect(reader, "bucket");
        var bucket = reader.ReadTextString();
        Expect(reader, "format");
        if (reader.ReadInt32() != FormatVersion)
        {
            throw new DagCborException($"A bucket commit of another format than {FormatVersion}.");
        }
        reader.ReadEndMap();
        Validate(bucket, data, previous, seq);
        return new BucketCommit(bucket, data, previous, seq, time);
    });

    private static void Expect(CborReader reader, string key)
    {
        var found = reader.ReadTextString();
        if (found != key)
        {
            throw new DagCborException($"A bucket commit has field '{found}' where '{key}' belongs.");
        }
    }

    private static void Validate(string bucket, Cid data, Cid? previous, long seq)
    {
        if (string.IsNullOrEmpty(bucket) || seq < 0 || data.Codec != Cid.DagCborCodec || previous is { Codec: not Cid.DagCborCodec })
        {
            throw new DagCborException("A bucket commit names its bucket, a dag-cbor tree root and previous commit, and a journal number of 0 or more.");
        }
    }
}
