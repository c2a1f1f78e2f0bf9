using System.Text;
using Cairn.Core;

namespace Cairn.Mst;

internal sealed partial class ExportCheck
{
    /// <summary>Checks 3 and 4: every tree value's manifest, its previous chain, and their chunks.</summary>
    private async Task CheckManifestsAsync(CancellationToken cancellationToken)
    {
        foreach (var leaf in _leaves)
        {
            await CheckChainAsync(leaf, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Follows the manifest chain of one key: the tree's value, then each <c>previous</c>. A chain
    /// longer than the file's distinct blocks must revisit one (a cycle, which content addressing
    /// makes impossible to build, but a verifier must not loop on it).
    /// </summary>
    private async Task CheckChainAsync(Leaf leaf, CancellationToken cancellationToken)
    {
        var key = Describe(leaf.Key);
        Cid? link = leaf.Value;
        Cid? after = null;
        for (var steps = 0; link is not null; steps++)
        {
            if (steps > _index.Count)
            {
                AddError($"The previous chain of key {key} is longer than the CAR's {_index.Count} blocks: it has a cycle.");
                return;
            }
            var where = after is null
                ? $"of key {key} (the value in MST node {leaf.Node})"
                : $"on the previous chain of key {key} (after manifest {after})";
            var manifest = await ReadManifestAsync(link, where, cancellationToken).ConfigureAwait(false);
            if (manifest is null)
            {
                return;
            }
            if (!Encoding.UTF8.GetBytes(manifest.Key).AsSpan().SequenceEqual(leaf.Key))
            {
                AddError($"Manifest {link} {where} has key '{manifest.Key}', not the tree's key.");
            }
            CheckChunks(manifest, link, key);
            after = link;
            link = manifest.Previous;
        }
    }

    /// <summary>Reads and decodes one manifest; null (with the error recorded) when it cannot be.</summary>
    private async Task<ObjectManifest?> ReadManifestAsync(Cid cid, string where, CancellationToken cancellationToken)
    {
        _reached.Add(cid);
        if (cid.Codec != Cid.DagCborCodec)
        {
            AddError($"Manifest link {cid} {where} is not a dag-cbor CID.");
            return null;
        }
        var block = await _index.ReadAsync(cid, cancellationToken).ConfigureAwait(false);
        if (block is null)
        {
            AddError($"Manifest {cid} {where} is missing.");
            return null;
        }
        try
        {
            var manifest = ObjectManifest.Decode(block);
            _manifests.Add(cid);
            return manifest;
        }
        catch (ManifestFormatException ex)
        {
            AddError($"Manifest {cid} {where} does not decode as an object manifest: {ex.Message}");
            return null;
        }
    }

    /// <summary>
    /// Check 4: each body chunk is in the file with the manifest's length. The bytes were checked
    /// against the CID when the file was indexed (<see cref="CarReader"/>); they are not read again.
    /// </summary>
    private void CheckChunks(ObjectManifest manifest, Cid manifestCid, string key)
    {
        for (var i = 0; i < manifest.Body.Count; i++)
        {
            var chunk = manifest.Body[i];
            _reached.Add(chunk.Cid);
            if (!_index.TryGetLocation(chunk.Cid, out var location))
            {
                AddError($"Chunk {chunk.Cid} of key {key} (manifest {manifestCid}, body[{i}]) is missing.");
                continue;
            }
            if (_chunks.Add(chunk.Cid))
            {
                _bytes += location.Length;
            }
            if (location.Length != chunk.Length)
            {
                AddError($"Chunk {chunk.Cid} of key {key} (manifest {manifestCid}, body[{i}]) is {location.Length} bytes; the manifest says {chunk.Length}.");
            }
        }
    }

    /// <summary>Check 5: the file holds nothing the commit does not reach, reported in file order.</summary>
    private void CheckReachability()
    {
        var unreachable = new List<KeyValuePair<Cid, CarBlockLocation>>();
        foreach (var block in _index.Blocks)
        {
            if (!_reached.Contains(block.Key))
            {
                unreachable.Add(block);
            }
        }
        unreachable.Sort(static (a, b) => a.Value.Offset.CompareTo(b.Value.Offset));
        foreach (var (cid, location) in unreachable)
        {
            AddError($"Block {cid} (at byte {location.Offset}) is not reachable from the commit.");
        }
    }
}
