using Cairn.Core;

namespace Cairn.Mst;

/// <summary>
/// A CAR file opened for random access: one pass indexes every block (checking each against its
/// CID), then blocks are read back by CID. It is what an importer walks after
/// <see cref="VerifyAsync(string, CancellationToken)"/> has found the file sound, and it serves the file's MST nodes to
/// <see cref="MstTree.EnumerateAsync(IMstBlockSource, MstPrefixRange?, CancellationToken)"/>. Memory is the index alone, never the blocks.
/// </summary>
/// <remarks>The stream stays the caller's; do not move or change it while the archive is in use.</remarks>
public sealed class CarArchive : IMstBlockSource
{
    private readonly CarBlockIndex _index;

    private CarArchive(CarBlockIndex index) => _index = index;

    /// <summary>The header's roots (an export names one: its bucket commit).</summary>
    public IReadOnlyList<Cid> Roots => _index.Roots;

    /// <summary>Distinct blocks in the file.</summary>
    public int Count => _index.Count;

    /// <summary>Indexes the CAR in <paramref name="car"/> from its current position to its end.</summary>
    /// <param name="car">A readable, seekable stream (a file), owned by the caller.</param>
    /// <param name="cancellationToken">Cancels the pass.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    /// <exception cref="CarFormatException">The CAR is malformed, cut short, or a block does not match its CID.</exception>
    public static async Task<CarArchive> OpenAsync(Stream car, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(car);
        if (!car.CanSeek || !car.CanRead)
        {
            throw new ArgumentException("A CAR archive reads blocks back by offset: pass a readable, seekable stream (a file).", nameof(car));
        }
        return new CarArchive(await CarBlockIndex.BuildAsync(car, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Runs <see cref="CarVerifier"/>'s checks over the indexed file as a whole bucket's export (see its remarks for the contract).</summary>
    public Task<CarVerification> VerifyAsync(CancellationToken cancellationToken) => VerifyAsync(prefix: null, cancellationToken);

    /// <summary>
    /// Runs <see cref="CarVerifier"/>'s checks over the indexed file as the export of the keys
    /// starting with <paramref name="prefix"/> (see its remarks for the contract).
    /// </summary>
    /// <param name="prefix">The range's prefix; null or empty: the whole bucket.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    public Task<CarVerification> VerifyAsync(string? prefix, CancellationToken cancellationToken) =>
        new ExportCheck(_index, prefix, CarVerifier.MaxErrors).RunAsync(cancellationToken);

    /// <summary>The bytes of <paramref name="cid"/> (checked against it again); null when the file does not hold it.</summary>
    /// <exception cref="IOException">The bytes no longer match the CID: the file changed since it was indexed.</exception>
    public ValueTask<byte[]?> ReadAsync(Cid cid, CancellationToken cancellationToken) => _index.ReadAsync(cid, cancellationToken);

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">The file does not hold the block.</exception>
    public async ValueTask<ReadOnlyMemory<byte>> GetBlockAsync(Cid cid, CancellationToken cancellationToken) =>
        await _index.ReadAsync(cid, cancellationToken).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"The CAR does not hold block {cid}.");
}
