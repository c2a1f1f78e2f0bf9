namespace Cairn.Mst;

/// <summary>Why a CAR stream was refused.</summary>
public enum CarFormatError
{
    /// <summary>The stream ended inside the header or a section.</summary>
    Truncated,

    /// <summary>A length prefix is not a minimal unsigned varint, or is out of range.</summary>
    BadVarint,

    /// <summary>The header is not DAG-CBOR <c>{roots: [CID, ...], version: 1}</c>.</summary>
    BadHeader,

    /// <summary>A section does not start with a CIDv1 (dag-cbor or raw, sha2-256).</summary>
    BadCid,

    /// <summary>A block's bytes do not hash to the CID it is stored under.</summary>
    CidMismatch,

    /// <summary>A header or block is larger than the reader's limit.</summary>
    TooLarge,
}
