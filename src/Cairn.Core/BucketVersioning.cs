namespace Cairn.Core;

/// <summary>A bucket's versioning state, as S3 defines it (GetBucketVersioning).</summary>
public enum BucketVersioning
{
    /// <summary>Versioning was never enabled: every key has one version, the null version, which a write replaces.</summary>
    Unversioned,

    /// <summary>Every write adds a version with its own id; a delete adds a delete marker.</summary>
    Enabled,

    /// <summary>Was enabled: older versions stay; writes and deletes replace the null version.</summary>
    Suspended,
}
