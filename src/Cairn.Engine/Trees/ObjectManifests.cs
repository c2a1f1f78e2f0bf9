using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>
/// A version row as its manifest: the catalog's values as they are, the body as raw CIDs (a chunk's
/// address is the SHA-256 of its bytes, so its CID needs no read; an inline body becomes a raw block
/// of its own), and <c>previous</c> linking the manifest of the next older version of the key.
/// </summary>
internal static class ObjectManifests
{
    /// <summary>
    /// Adds the manifests of a key's versions (given newest first, as the catalog lists them), oldest
    /// first so each can link the one before, and the inline bodies' raw blocks, to <paramref name="blocks"/>;
    /// returns the newest manifest's CID, the key's value in the tree.
    /// </summary>
    public static Cid AddChain(IReadOnlyList<ObjectVersionRecord> versions, List<MstBlock> blocks)
    {
        Cid? previous = null;
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            var manifest = From(versions[i], previous, blocks);
            var block = manifest.Encode();
            previous = Cid.ForDagCbor(block);
            blocks.Add(new MstBlock(previous, block));
        }
        return previous ?? throw new ArgumentException("A key in the tree has at least one version.", nameof(versions));
    }

    /// <summary>The manifest of <paramref name="version"/>; an inline body's raw block is added to <paramref name="blocks"/>.</summary>
    public static ObjectManifest From(ObjectVersionRecord version, Cid? previous, List<MstBlock> blocks)
    {
        IReadOnlyList<ManifestChunk> body;
        if (version.InlineBody is { Length: > 0 } inline)
        {
            var cid = Cid.ForRaw(inline);
            blocks.Add(new MstBlock(cid, inline));
            body = [new ManifestChunk(cid, inline.Length)];
        }
        else
        {
            body = version.Chunks.Select(static chunk => new ManifestChunk(Cid.FromDigest(Cid.RawCodec, chunk.Hash.Bytes), chunk.Length)).ToList();
        }
        return new ObjectManifest
        {
            Key = version.Key,
            VersionId = version.VersionId,
            IsDeleteMarker = version.IsDeleteMarker,
            Size = version.Size,
            ETag = version.ETag,
            Checksums = version.Checksums,
            ChecksumType = version.ChecksumType,
            Headers = version.Headers,
            Metadata = version.UserMetadata,
            Tags = version.Tags,
            // The catalog keeps one time per version: tag and lock changes do not move it (as in S3).
            Created = version.LastModified,
            Modified = version.LastModified,
            Body = body,
            Parts = version.PartSizes,
            Previous = previous,
        };
    }
}
