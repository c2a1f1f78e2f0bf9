namespace Cairn.Mst;

/// <summary>
/// Verifies offline that a CAR file is the export of one bucket commit (issue 11): exactly the
/// commit, its Merkle Search Tree, every object manifest the tree reaches (with their previous
/// chains) and every body chunk those manifests name, each block sound and nothing else. With a
/// prefix, that it is the export of the keys starting with it: a range proof against the same commit.
/// </summary>
/// <remarks>
/// <para>
/// The contract checked, in order, each failure reported as an error naming the key and CID:
/// </para>
/// <list type="number">
/// <item>The header names exactly one root, which the file holds and which decodes as a <see cref="BucketCommit"/>.</item>
/// <item>Every MST node under the commit's <c>data</c> is present, decodes strictly and is the canonical
/// encoding of its entries; the keys of each node are in strictly increasing byte order and within
/// the bounds its parent gives (so the walk yields every key in order); and the tree rebuilt from
/// those leaves by <see cref="MstBuilder"/> has the commit's root.</item>
/// <item>Every tree value is present and decodes as an <see cref="ObjectManifest"/> of the tree's
/// key (UTF-8 bytes equal), and so is every manifest on its <c>previous</c> chain.</item>
/// <item>Every body chunk of every manifest is present, with the length the manifest gives.</item>
/// <item>Every block in the file is reachable from the commit.</item>
/// </list>
/// <para>
/// With a prefix (a range export, <see cref="MstPrefixRange"/>), check 2 asks for the nodes whose
/// key range can hold a key starting with it: those on the paths to the range's two ends and those
/// wholly inside it. They must be present and sound as above; a node wholly outside the range may be
/// absent (its CID in its parent still binds it to the root), and is checked when present. The
/// rebuild, which needs every leaf, is replaced by checks of each present node on its own: each key's
/// MST layer (<see cref="MstKey.Height"/>) is its node's (the root's is its first key's, a child's
/// its parent's less one), the root has entries unless it is the empty tree, no node below it is
/// empty without a subtree, and no layer-0 node links one; with ordered, bounded keys and canonical
/// encodings these make the present nodes part of the one MST of the commit's keys. Checks 3 and 4
/// apply to every key in the range; a key outside it needs no manifest, but a manifest the file holds
/// for it is checked in full. Check 5 is unchanged. A whole-bucket export verified with a prefix
/// passes; a range export verified without one fails (missing nodes, missing manifests).
/// </para>
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
    public static Task<CarVerification> VerifyAsync(Stream car, CancellationToken cancellationToken) =>
        VerifyAsync(car, prefix: null, cancellationToken);

    /// <summary>
    /// Verifies the CAR in <paramref name="car"/>, from its current position to its end, as the
    /// export of the keys starting with <paramref name="prefix"/> (see the remarks). Bad content
    /// never throws: it is reported in <see cref="CarVerification.Errors"/>.
    /// </summary>
    /// <param name="car">A seekable stream (a file), owned by the caller.</param>
    /// <param name="prefix">The range's prefix; null or empty: the whole bucket.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    /// <exception cref="IOException">Reading failed, or the file changed while it was verified.</exception>
    /// <exception cref="OperationCanceledException">The verification was cancelled.</exception>
    public static async Task<CarVerification> VerifyAsync(Stream car, string? prefix, CancellationToken cancellationToken)
    {
        CarArchive archive;
        try
        {
            archive = await CarArchive.OpenAsync(car, cancellationToken).ConfigureAwait(false);
        }
        catch (CarFormatException ex)
        {
            return new CarVerification(null, null, null, null, 0, 0, 0, 0, 0, 0, [$"The CAR cannot be read: {ex.Message}"],
                string.IsNullOrEmpty(prefix) ? null : prefix);
        }
        return await archive.VerifyAsync(prefix, cancellationToken).ConfigureAwait(false);
    }
}
