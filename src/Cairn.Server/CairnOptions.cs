namespace Cairn.Server;

/// <summary>Server-wide settings. Bound from section <c>Cairn</c>; short environment names are mapped in <see cref="ServerHost"/>.</summary>
public sealed class CairnOptions
{
    /// <summary>Where metadata (metadata.db) and blobs (blobs/) live. Env: CAIRN_DATA_DIR. Default ./data.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Root access key id. Env: CAIRN_ROOT_ACCESS_KEY. When unset, a key pair is generated once and kept in the data directory.</summary>
    public string? RootAccessKey { get; set; }

    /// <summary>Root secret key. Env: CAIRN_ROOT_SECRET_KEY.</summary>
    public string? RootSecretKey { get; set; }

    /// <summary>fsync directories after creating blobs (durability of the rename). Default true.</summary>
    public bool FsyncDirectories { get; set; } = true;
}
