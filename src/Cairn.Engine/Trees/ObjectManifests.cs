using Cairn.Core;
using Cairn.Metadata;
using Cairn.Mst;

using Cairn.Engine.Encryption;

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
    /// Adds the manifests of a key's versions (given newest first, as the catalog lists them) to
    /// <paramref name="blocks"/>, as <see cref="AddChain(ManifestChainLink[], List{MstBlock}, Cid?, List{ChunkRef}?)"/> does.
    /// </summary>
    public static Cid AddChain(IReadOnlyList<ObjectVersionRecord> versions, List<MstBlock> blocks, Cid? stored = null,
        List<ChunkRef>? bodyChunks = null) => AddChain(EncodeChain(versions), blocks, stored, bodyChunks);

    /// <summary>
    /// The manifests of a key's versions (given newest first, as the catalog lists them), encoded
    /// oldest first so each can link the one before, each with the chunks it names. What a fold keeps
    /// of a version between reading it and folding it: a few hundred bytes, not the version's record.
    /// </summary>
    public static ManifestChainLink[] EncodeChain(IReadOnlyList<ObjectVersionRecord> versions)
    {
        var chain = new ManifestChainLink[versions.Count];
        Cid? previous = null;
        for (var i = versions.Count - 1; i >= 0; i--)
        {
            var manifest = From(versions[i], previous);
            var block = manifest.Encode();
            previous = Cid.ForDagCbor(block);
            chain[versions.Count - 1 - i] = new ManifestChainLink(new MstBlock(previous, block, manifest.Links()), versions[i].Chunks);
        }
        return chain;
    }

    /// <summary>
    /// Adds a key's manifest <paramref name="chain"/> (oldest first) to <paramref name="blocks"/>;
    /// returns the newest manifest's CID, the key's value in the tree. A manifest's CID covers the
    /// chain below it, so when one of them is <paramref name="stored"/> (the key's value in the tree
    /// before), it and those below it are stored already and only the manifests above it are added.
    /// The chunks the added manifests name go to <paramref name="bodyChunks"/> (one per use), for the
    /// references the segment storing them takes.
    /// </summary>
    public static Cid AddChain(ManifestChainLink[] chain, List<MstBlock> blocks, Cid? stored, List<ChunkRef>? bodyChunks)
    {
        if (chain.Length == 0)
        {
            throw new ArgumentException("A key in the tree has at least one version.", nameof(chain));
        }
        var first = 0;
        if (stored is not null)
        {
            for (var i = chain.Length - 1; i >= 0; i--)
            {
                if (chain[i].Manifest.Cid == stored)
                {
                    first = i + 1;
                    break;
                }
            }
        }
        for (var i = first; i < chain.Length; i++)
        {
            blocks.Add(chain[i].Manifest);
            bodyChunks?.AddRange(chain[i].Chunks);
        }
        return chain[^1].Manifest.Cid;
    }

    /// <summary>The manifest of <paramref name="version"/>.</summary>
    public static ObjectManifest From(ObjectVersionRecord version, Cid? previous)
    {
        IReadOnlyList<ManifestChunk> body;
        if (version.InlineBodyHash is { } inlineHash && version.Size > 0 && version.Chunks.Count == 0)
        {
            // The hash is of the bytes kept inline: for an encrypted body, its framed ciphertext.
            body = [new ManifestChunk(Cid.FromDigest(Cid.RawCodec, inlineHash.Bytes),
                version.Encryption is null ? version.Size : EncryptedBodyLayout.StoredLength(version.Size))];
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
            Encryption = version.Encryption is { } envelope
                ? new ManifestEncryption(DataKeyEnvelope.ModeOf(envelope) == EncryptionMode.CustomerKey ? "SSE-C" : "SSE-S3", envelope)
                : null,
        };
    }
}

/// <summary>A version's manifest in a key's chain, and the chunks its body names.</summary>
internal readonly record struct ManifestChainLink(MstBlock Manifest, IReadOnlyList<ChunkRef> Chunks);
