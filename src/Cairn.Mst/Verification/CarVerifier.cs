namespace Cairn.Mst;

/// <summary>
/// Verifies offline that a CAR file is the export of one bucket commit (issue 11): exactly the
/// commit, its Merkle Search Tree, every object manifest the tree reaches (with their previous
/// chains) and every body chunk those manifests name, each block sound and nothing else.
/// </summary>
/// <remarks>
/// <para>
/// The contract checked, in order, each failure reported as an error naming the key and CID:
/// </para>
/// <list type="number">
/// <item>The header names exactly one root, which the file holds and which decodes as a <see cref="BucketCommit"/>.</item>
/// <item>Every MST node under the commit's <c>data</c> is present, decodes strictly and is the canonical
/// encoding of its entries; the walk yields keys in strictly increasing byte order; and the tree
/// rebuilt from those leaves by <see cref="MstBuilder"/> has the commit's root.</item>
/// <item>Every tree value is present and decodes as an <see cref="ObjectManifest"/> of the tree's
/// key (UTF-8 bytes equal), and so is every manifest on its <c>previous</c> chain.</item>
/// <item>Every body chunk of every manifest is present, with the length the manifest gives.</item>
/// <item>Every block in the file is reachable from the commit.</item>
/// </list>
/// <para>
/// A CAR that cannot be read at all (bad header, truncated section, a block that does not hash to
/// its CID: <see cref="CarReader"/>'s checks) gives one error saying so. After
/// <see cref="MaxErrors"/> errors the verification stops with a last "too many errors".
/// </para>
/// <para>
/// Memory: one pass over the file builds an index of CID to (offset, length) per distinct block;
/// the tree's nodes and the manifests are then read back one at a time by seeking, and chunks are
/// never read again (their bytes were checked against their CIDs in the first pass). What stays in
/// memory is the index, the tree's leaf list and the node blocks of the rebuilt tree.
/// </para>
/// </remarks>
public static class CarVerifier
{
    /// <summary>Errors collected before the verification stops.</summary>
    public const int MaxErrors = 100;

    /// <summary>
    /// Verifies the CAR in <paramref name="car"/>, from its current position to its end. Bad
    /// content never throws: it is reported in <see cref="CarVerification.Errors"/>.
    /// </summary>
    /// <param name="car">A seekable stream (a file), owned by the caller.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    /// <exception cref="IOException">Reading failed, or the file changed while it was verified.</exception>
    /// <exception cref="OperationCanceledException">The verification was cancelled.</exception>
    public static async Task<CarVerification> VerifyAsync(Stream car, CancellationToken cancellationToken)
    {
        CarArchive archive;
        try
        {
            archive = await CarArchive.OpenAsync(car, cancellationToken).ConfigureAwait(false);
        }
        catch (CarFormatException ex)
        {
            return new CarVerification(null, null, null, null, 0, 0, 0, 0, 0, 0, [$"The CAR cannot be read: {ex.Message}"]);
        }
        return await archive.VerifyAsync(cancellationToken).ConfigureAwait(false);
    }
}
