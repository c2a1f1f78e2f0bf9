using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using Cairn.Core;
using Cairn.Metadata;

namespace Cairn.Engine.Packs;

/// <summary>
/// The bytes of a pack (issue 12): a run of chunk records, then, once sealed, an index of them and
/// a trailer. Both halves can rebuild the catalog's entries for a pack from the pack alone: a sealed
/// pack by its index (one read from the end), a segment cut short by a crash by scanning its records
/// from the start up to the first one that is incomplete or does not check.
/// </summary>
/// <remarks>
/// <code>
/// record:  magic "CRNK" (4) | codec (1) | 0 (3) | length (4) | stored length (4) | SHA-256 (32) | CRC-32C (4) | stored bytes
/// index:   per record: SHA-256 (32) | offset of its stored bytes (8) | length (4) | stored length (4) | codec (1)
/// trailer: index offset (8) | record count (4) | CRC-32C of the index (4) | magic "CAIRNPK1" (8)
/// </code>
/// Integers are little-endian. A record's CRC-32C covers its header up to the CRC and its stored
/// bytes, so a torn or damaged record is found without the index. A chunk's placement points at its
/// stored bytes (after the header): reading a packed chunk is one ranged read.
/// </remarks>
internal static class PackFormat
{
    /// <summary>Bytes of a record's header, before its stored bytes.</summary>
    public const int RecordHeaderSize = 52;

    /// <summary>Bytes of one index entry.</summary>
    public const int IndexEntrySize = 49;

    /// <summary>Bytes of the trailer that ends a sealed pack.</summary>
    public const int TrailerSize = 24;

    private const uint RecordMagic = 0x4B4E5243; // "CRNK" read little-endian
    private const ulong TrailerMagic = 0x314B504E52494143; // "CAIRNPK1" read little-endian
    private const int CrcOffset = 48;

    /// <summary>Writes the header of a record holding <paramref name="stored"/> (the chunk's bytes as stored) into <paramref name="header"/>.</summary>
    public static void WriteRecordHeader(Span<byte> header, ContentHash hash, int length, ChunkCodec codec, ReadOnlySpan<byte> stored)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(header.Length, RecordHeaderSize);
        header = header[..RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, RecordMagic);
        header[4] = (byte)codec;
        header[5..8].Clear();
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], length);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], stored.Length);
        hash.Bytes.CopyTo(header[16..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[CrcOffset..], RecordCrc(header, stored));
    }

    /// <summary>The index and trailer that seal a pack whose records end at <paramref name="indexOffset"/>.</summary>
    public static byte[] EncodeIndex(IReadOnlyList<PackEntry> entries, long indexOffset)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var bytes = new byte[(entries.Count * IndexEntrySize) + TrailerSize];
        var span = bytes.AsSpan();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var at = span.Slice(i * IndexEntrySize, IndexEntrySize);
            entry.Hash.Bytes.CopyTo(at);
            BinaryPrimitives.WriteInt64LittleEndian(at[32..], entry.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(at[40..], entry.Length);
            BinaryPrimitives.WriteInt32LittleEndian(at[44..], entry.StoredLength);
            at[48] = (byte)entry.Codec;
        }
        var index = span[..(entries.Count * IndexEntrySize)];
        var trailer = span[index.Length..];
        BinaryPrimitives.WriteInt64LittleEndian(trailer, indexOffset);
        BinaryPrimitives.WriteInt32LittleEndian(trailer[8..], entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], Crc32C(index));
        BinaryPrimitives.WriteUInt64LittleEndian(trailer[16..], TrailerMagic);
        return bytes;
    }

    /// <summary>
    /// Reads a sealed pack's trailer (its last <see cref="TrailerSize"/> bytes): where its index
    /// starts and how many entries it has. False when the bytes are not a trailer (an unsealed
    /// segment, or damage) or do not fit a pack of <paramref name="packLength"/> bytes.
    /// </summary>
    public static bool TryReadTrailer(ReadOnlySpan<byte> trailer, long packLength, out long indexOffset, out int count)
    {
        indexOffset = 0;
        count = 0;
        if (trailer.Length != TrailerSize || BinaryPrimitives.ReadUInt64LittleEndian(trailer[16..]) != TrailerMagic)
        {
            return false;
        }
        indexOffset = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        count = BinaryPrimitives.ReadInt32LittleEndian(trailer[8..]);
        return count >= 0 && indexOffset >= 0 && indexOffset + ((long)count * IndexEntrySize) + TrailerSize == packLength;
    }

    /// <summary>
    /// Decodes a sealed pack's index: <paramref name="indexAndTrailer"/> is everything from the index
    /// offset to the end. Throws <see cref="InvalidDataException"/> when the trailer, the index's
    /// CRC or an entry does not check.
    /// </summary>
    public static IReadOnlyList<PackEntry> DecodeIndex(ReadOnlySpan<byte> indexAndTrailer, long indexOffset)
    {
        var packLength = indexOffset + indexAndTrailer.Length;
        if (indexAndTrailer.Length < TrailerSize
            || !TryReadTrailer(indexAndTrailer[^TrailerSize..], packLength, out var declaredOffset, out var count)
            || declaredOffset != indexOffset)
        {
            throw new InvalidDataException("The pack does not end with a trailer that fits its index.");
        }
        var index = indexAndTrailer[..^TrailerSize];
        if (Crc32C(index) != BinaryPrimitives.ReadUInt32LittleEndian(indexAndTrailer[^TrailerSize..][12..]))
        {
            throw new InvalidDataException("The pack's index does not match its CRC-32C.");
        }
        var entries = new PackEntry[count];
        for (var i = 0; i < count; i++)
        {
            var at = index.Slice(i * IndexEntrySize, IndexEntrySize);
            var entry = new PackEntry(ContentHash.FromBytes(at[..32]), BinaryPrimitives.ReadInt64LittleEndian(at[32..]),
                BinaryPrimitives.ReadInt32LittleEndian(at[40..]), BinaryPrimitives.ReadInt32LittleEndian(at[44..]), (ChunkCodec)at[48]);
            if (entry.Offset < RecordHeaderSize || entry.StoredLength < 0 || entry.Length < 0 || entry.Offset + entry.StoredLength > indexOffset)
            {
                throw new InvalidDataException($"Index entry {i} of the pack points outside its records.");
            }
            entries[i] = entry;
        }
        return entries;
    }

    /// <summary>
    /// Reads records from the start of <paramref name="segment"/> until its end or the first record
    /// that is incomplete or does not check (a crash's torn tail, or damage). Returns the records
    /// that check and where they end: a writer that resumes, or seals, truncates the segment there.
    /// </summary>
    public static async Task<PackScan> ScanAsync(Stream segment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segment);
        var entries = new List<PackEntry>();
        var header = new byte[RecordHeaderSize];
        long position = 0;
        var stored = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                if (await segment.ReadAtLeastAsync(header, RecordHeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < RecordHeaderSize
                    || BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordMagic)
                {
                    break;
                }
                var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
                var storedLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
                if (length < 0 || storedLength < 0 || header[4] > (byte)ChunkCodec.Zstd)
                {
                    break;
                }
                if (stored.Length < storedLength)
                {
                    ArrayPool<byte>.Shared.Return(stored);
                    stored = ArrayPool<byte>.Shared.Rent(storedLength);
                }
                if (await segment.ReadAtLeastAsync(stored.AsMemory(0, storedLength), storedLength, throwOnEndOfStream: false, cancellationToken)
                    .ConfigureAwait(false) < storedLength
                    || RecordCrc(header, stored.AsSpan(0, storedLength)) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(CrcOffset)))
                {
                    break;
                }
                entries.Add(new PackEntry(ContentHash.FromBytes(header.AsSpan(16, 32)), position + RecordHeaderSize, length, storedLength,
                    (ChunkCodec)header[4]));
                position += RecordHeaderSize + storedLength;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(stored);
        }
        return new PackScan(entries, position);
    }

    /// <summary>
    /// Checks one whole record (its header, then its stored bytes) and returns its entry, with the
    /// offset of its stored bytes taken as <paramref name="recordOffset"/> + <see cref="RecordHeaderSize"/>.
    /// False when the magic, the lengths or the CRC-32C do not check.
    /// </summary>
    public static bool TryReadRecord(ReadOnlySpan<byte> record, long recordOffset, out PackEntry entry)
    {
        entry = default;
        if (record.Length < RecordHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(record) != RecordMagic || record[4] > (byte)ChunkCodec.Zstd)
        {
            return false;
        }
        var length = BinaryPrimitives.ReadInt32LittleEndian(record[8..]);
        var storedLength = BinaryPrimitives.ReadInt32LittleEndian(record[12..]);
        if (length < 0 || storedLength != record.Length - RecordHeaderSize
            || RecordCrc(record, record[RecordHeaderSize..]) != BinaryPrimitives.ReadUInt32LittleEndian(record[CrcOffset..]))
        {
            return false;
        }
        entry = new PackEntry(ContentHash.FromBytes(record.Slice(16, 32)), recordOffset + RecordHeaderSize, length, storedLength, (ChunkCodec)record[4]);
        return true;
    }

    private static uint RecordCrc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> stored)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(header[..CrcOffset]);
        crc.Append(stored);
        return crc.GetCurrentHashAsUInt32();
    }

    private static uint Crc32C(ReadOnlySpan<byte> bytes)
    {
        var crc = new Crc32(Crc32ParameterSet.Crc32C);
        crc.Append(bytes);
        return crc.GetCurrentHashAsUInt32();
    }
}

/// <summary>One chunk in a pack: its address, where its stored bytes start, its length, stored length and codec.</summary>
internal readonly record struct PackEntry(ContentHash Hash, long Offset, int Length, int StoredLength, ChunkCodec Codec);

/// <summary>What <see cref="PackFormat.ScanAsync"/> found: the records that check, and the length they span from the start.</summary>
internal sealed record PackScan(IReadOnlyList<PackEntry> Entries, long ValidLength);
