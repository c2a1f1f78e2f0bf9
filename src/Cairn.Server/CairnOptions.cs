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

    /// <summary>
    /// The server key file (JSON; see <c>ServerKeyRing</c>): the keys that seal users' secrets. Env:
    /// CAIRN_KEY_FILE. Default <c>server-keys.json</c> in the data directory, made on first start.
    /// Every node of a cluster must be given the same file.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>fsync directories after creating blobs (durability of the rename). Default true.</summary>
    public bool FsyncDirectories { get; set; } = true;
}
