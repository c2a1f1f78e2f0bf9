using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

namespace Cairn.Engine.Trees;

/// <summary>
/// A version row as its manifest: the catalog's values as they are, the body as raw CIDs (a chunk's
/// address is the SHA-256 of its bytes, so its CID needs no read; an inline body is one raw block,
/// the CID of its bytes), and <c>previous</c> linking the manifest of the next older version of the key.
/// Bodies are never copied into the tree's segments: chunks stay in the chunk store and inline bodies
/// in their rows, where an export reads them.
/// </summary>
internal static class ObjectManifests
{
    /// <summary>
    /// Adds the manifests of a key's versions (given newest first, as the catalog lists them), oldest
    /// first so each can link the one before, to <paramref name="blocks"/>; returns the newest
    /// manifest's CID, the key's value in the tree. A manifest's CID covers the chain below it, so
    /// when one of them is <paramref name="stored"/> (the key's value in the tree before), it and
    /// those below it are stored already and only the manifests above it are added. The chunks the
    /// added manifests name go to <paramref name="bodyChunks"/> (one per use), for the references
    /// the segment storing them takes.
    /// </summary>
    public static Cid AddChain(IReadOnlyList<ObjectVersionRecord> versions, List<MstBlock> blocks, Cid? stored = null,
        List<ChunkRef>? bodyChunks = null)
    {
        Cid? previous = null;
        var start = blocks.Count;
        var chunksStart = bodyChunks?.Count ?? 0;
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            var manifest = From(versions[i], previous);
            var block = manifest.Encode();
            previous = Cid.ForDagCbor(block);
            if (previous == stored)
            {
                blocks.RemoveRange(start, blocks.Count - start);
                bodyChunks?.RemoveRange(chunksStart, bodyChunks.Count - chunksStart);
                continue;
            }
            blocks.Add(new MstBlock(previous, block, manifest.Links()));
            bodyChunks?.AddRange(versions[i].Chunks);
        }
        return previous ?? throw new ArgumentException("A key in the tree has at least one version.", nameof(versions));
    }

    /// <summary>The manifest of <paramref name="version"/>.</summary>
    public static ObjectManifest From(ObjectVersionRecord version, Cid? previous)
    {
        IReadOnlyList<ManifestChunk> body;
        if (version.InlineBodyHash is { } inlineHash && version.Size > 0 && version.Chunks.Count == 0)
        {
            body = [new ManifestChunk(Cid.FromDigest(Cid.RawCodec, inlineHash.Bytes), version.Size)];
        }
        else if (version.InlineBody is { Length: > 0 } inline)
        {
            body = [new ManifestChunk(Cid.ForRaw(inline), inline.Length)];
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
