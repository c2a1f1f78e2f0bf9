using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Engine.Identity;

/// <summary>One server key: 32 bytes of key material under an id that sealed data names.</summary>
public sealed record ServerKey(string Id, byte[] Material, DateTimeOffset CreatedAt);

/// <summary>
/// The server's keys (issue 14), read from a key file: the current key seals new data, every key in
/// the ring unseals what it sealed, so rotation (<see cref="Rotate"/>) keeps old data readable. The
/// file is JSON (<c>{"current": id, "keys": [{"id", "key": base64, "created"}]}</c>), readable by its
/// owner only; every node of a cluster must be given the same file.
/// </summary>
public sealed class ServerKeyRing
{
    /// <summary>Bytes of key material (AES-256).</summary>
    public const int KeyLength = 32;

    private readonly Dictionary<string, ServerKey> _keys;

    private ServerKeyRing(IReadOnlyList<ServerKey> keys, string currentId)
    {
        _keys = keys.ToDictionary(static key => key.Id, StringComparer.Ordinal);
        Keys = keys;
        Current = _keys.TryGetValue(currentId, out var current)
            ? current
            : throw new InvalidDataException($"The key file's current key '{currentId}' is not among its keys.");
    }

    /// <summary>The key new data is sealed under.</summary>
    public ServerKey Current { get; }

    /// <summary>Every key, oldest first.</summary>
    public IReadOnlyList<ServerKey> Keys { get; }

    /// <summary>The key named <paramref name="id"/>; false when the ring does not hold it.</summary>
    public bool TryGet(string id, out ServerKey key) => _keys.TryGetValue(id, out key!);

    /// <summary>A ring of one new random key (tests, and a key file made for the first time).</summary>
    public static ServerKeyRing CreateNew(DateTimeOffset now)
    {
        var key = NewKey(now);
        return new ServerKeyRing([key], key.Id);
    }

    /// <summary>
    /// The ring in <paramref name="path"/>, made (with one new key) when the file does not exist. Two
    /// processes starting at once end with the same ring: they take turns under a lock file, and the
    /// second finds the first one's file and reads it.
    /// </summary>
    public static ServerKeyRing LoadOrCreate(string path, DateTimeOffset now)
    {
        if (File.Exists(path))
        {
            return Load(path);
        }
        using (LockFile(path + ".lock"))
        {
            if (File.Exists(path))
            {
                return Load(path);
            }
            var ring = CreateNew(now);
            ring.Save(path);
            return ring;
        }
    }

    /// <summary>
    /// An exclusive lock on <paramref name="lockPath"/> (on Linux .NET takes flock(2) for FileShare.None,
    /// across processes and within one), waited for up to 30 s; the file goes when the lock does.
    /// </summary>
    private static FileStream LockFile(string lockPath)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>The ring in <paramref name="path"/>; throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static ServerKeyRing Load(string path)
    {
        KeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllText(path), KeyFileJsonContext.Default.KeyFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The key file {path} is not valid JSON: {ex.Message}", ex);
        }
        if (file?.Current is not { Length: > 0 } current || file.Keys is not { Count: > 0 } entries)
        {
            throw new InvalidDataException($"The key file {path} names no current key or holds no key.");
        }
        var keys = new List<ServerKey>(entries.Count);
        foreach (var entry in entries)
        {
            byte[] material;
            try
            {
                material = Convert.FromBase64String(entry.Key ?? "");
            }
            catch (FormatException)
            {
                material = [];
            }
            if (entry.Id is not { Length: > 0 } id || material.Length != KeyLength)
            {
                throw new InvalidDataException($"The key file {path} holds a key without an id or whose key is not {KeyLength} bytes in base64.");
            }
            keys.Add(new ServerKey(id, material, entry.Created));
        }
        if (keys.Select(static key => key.Id).Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw new InvalidDataException($"The key file {path} holds two keys of the same id.");
        }
        return new ServerKeyRing(keys, current);
    }

    /// <summary>This ring with a new random key made current (the others kept, so what they sealed stays readable).</summary>
    public ServerKeyRing Rotate(DateTimeOffset now)
    {
        var key = NewKey(now);
        return new ServerKeyRing([.. Keys, key], key.Id);
    }

    /// <summary>Writes the ring to <paramref name="path"/>, replacing the file there (a new file moved into place, readable by its owner only).</summary>
    public void Save(string path)
    {
        var file = new KeyFile
        {
            Current = Current.Id,
            Keys = [.. Keys.Select(static key => new KeyFileEntry { Id = key.Id, Key = Convert.ToBase64String(key.Material), Created = key.CreatedAt })],
        };
        // A name of its own: a leftover of a crash, or another process writing, is never reused.
        var temporary = $"{path}.{Guid.NewGuid():N}.new";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, file, KeyFileJsonContext.Default.KeyFile);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        // The rename itself durable: users' sealed secrets in the catalog are unreadable without this file.
        Cairn.Storage.DirectorySync.Fsync(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>A key with a random id, so keys of rings made apart never share a name (a secret sealed by one is refused by name, not by a failed tag).</summary>
    private static ServerKey NewKey(DateTimeOffset now) =>
        new("k" + RandomNumberGenerator.GetHexString(8, lowercase: true), RandomNumberGenerator.GetBytes(KeyLength),
            DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()));

    internal sealed class KeyFile
    {
        [JsonPropertyName("current")]
        public string? Current { get; set; }

        [JsonPropertyName("keys")]
        public List<KeyFileEntry>? Keys { get; set; }
    }

    internal sealed class KeyFileEntry
    {
        [JsonPropertyName("id")]
        public string? Id { get; set; }

        [JsonPropertyName("key")]
        public string? Key { get; set; }

        [JsonPropertyName("created")]
        public DateTimeOffset Created { get; set; }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ServerKeyRing.KeyFile))]
internal sealed partial class KeyFileJsonContext : JsonSerializerContext;
