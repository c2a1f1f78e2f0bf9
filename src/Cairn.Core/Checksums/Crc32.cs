using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.Core;

/// <summary>
/// CRC-32 (IEEE 802.3: reflected, polynomial 0xEDB88320, init and xorout 0xFFFFFFFF; check value of
/// "123456789" is 0xCBF43926). Computed by zlib's <c>crc32</c> when libz can be loaded, else by a
/// managed slicing-by-8 table.
/// </summary>
/// <remarks>
/// <c>System.IO.Hashing</c> is not available to this project (see docs/dependencies.md); zlib ships with
/// every Linux image we run on and its <c>crc32</c> is fast and battle-tested.
/// </remarks>
public static unsafe class Crc32
{
    private const uint Polynomial = 0xEDB88320;

    // zlib: uLong crc32(uLong crc, const Bytef *buf, uInt len). uLong is C "unsigned long", hence CULong.
    private static readonly delegate* unmanaged<CULong, byte*, uint, CULong> NativeCrc32 = LoadZlib();

    private static readonly uint[] Table = CrcTables.BuildReflected32(Polynomial);

    private static readonly CrcCombiner Combiner = new(32, Polynomial);

    /// <summary>True when zlib's implementation is in use.</summary>
    public static bool IsNative => NativeCrc32 != null;

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>
    /// Continues <paramref name="crc"/> (the CRC of everything before, 0 for nothing) over
    /// <paramref name="data"/>, like zlib's <c>crc32(crc, buf, len)</c>.
    /// </summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data) =>
        NativeCrc32 != null ? AppendNative(crc, data) : AppendManaged(crc, data);

    /// <summary>
    /// The CRC-32 of A followed by B from the CRC of A, the CRC of B and the length of B in bytes, as
    /// zlib's <c>crc32_combine</c>; used for full-object checksums of multipart uploads.
    /// </summary>
    public static uint Combine(uint crcA, uint crcB, long lengthB) => (uint)Combiner.Combine(crcA, crcB, lengthB);

    internal static uint AppendNative(uint crc, ReadOnlySpan<byte> data)
    {
        var value = new CULong(crc);
        fixed (byte* start = data)
        {
            var p = start;
            var remaining = data.Length;
            while (remaining > 0)
            {
                // uInt length: feed at most 1 GiB per call.
                var step = Math.Min(remaining, 1 << 30);
                value = NativeCrc32(value, p, (uint)step);
                p += step;
                remaining -= step;
            }
        }
        return (uint)value.Value;
    }

    internal static uint AppendManaged(uint crc, ReadOnlySpan<byte> data) => CrcTables.AppendReflected32(Table, crc, data);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static delegate* unmanaged<CULong, byte*, uint, CULong> LoadZlib()
    {
        string[] names = OperatingSystem.IsWindows() ? ["zlib1.dll"]
            : OperatingSystem.IsMacOS() ? ["libz.1.dylib", "libz.dylib"]
            : ["libz.so.1", "libz.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                if (NativeLibrary.TryGetExport(handle, "crc32", out var export))
                {
                    return (delegate* unmanaged<CULong, byte*, uint, CULong>)export;
                }
                NativeLibrary.Free(handle);
            }
        }
        return null;
    }
}
