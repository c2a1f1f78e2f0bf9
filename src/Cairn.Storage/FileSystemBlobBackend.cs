using System.Runtime.CompilerServices;

namespace Cairn.Storage;

/// <summary>
/// Blobs as files under one root directory. A blob name maps to a relative path; writes go to a
/// temp file in the target directory, are flushed to disk, renamed over the target and the directory
/// is fsynced (garage <c>write_block_inner</c>), so a crash leaves the old bytes or the new ones.
/// </summary>
/// <remarks>
/// A crash can leave <c>.tmp-*</c> files behind; they are never listed, and
/// <see cref="CleanupTempFilesAsync"/> removes them once they are older than any write in flight.
/// </remarks>
public sealed class FileSystemBlobBackend : IBlobBackend
{
    private readonly string _root;
    private readonly bool _fsyncDirectories;
    private readonly TimeProvider _timeProvider;

    /// <summary>Opens (creating if needed) the store at <see cref="FileSystemBlobBackendOptions.RootDirectory"/>.</summary>
    public FileSystemBlobBackend(FileSystemBlobBackendOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
        {
            throw new ArgumentException("FileSystemBlobBackend needs a RootDirectory.", nameof(options));
        }
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RootDirectory));
        _fsyncDirectories = options.FsyncDirectories && DirectorySync.IsSupported;
        _timeProvider = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Join(directory, BlobName.TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            EnsureDirectory(directory);
            var fileOptions = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
                BufferSize = 0,
                PreallocationSize = data.Length,
            };
            await using (var stream = new FileStream(temp, fileOptions))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            // From here on the write completes even if cancelled: the bytes are already durable.
            File.Move(temp, path, overwrite: true);
            if (_fsyncDirectories)
            {
                DirectorySync.Fsync(directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (ex is OperationCanceledException)
            {
                throw;
            }
            throw FileSystemErrors.Wrap(ex, "write", path);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = PathOf(name);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
            var total = 0;
            while (total < buffer.Length)
            {
                var read = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
            return total;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException
            || (ex is UnauthorizedAccessException && Directory.Exists(path)))
        {
            throw new BlobNotFoundException(name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "read", path);
        }
    }

    /// <inheritdoc />
    public ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var info = new FileInfo(path);
            return ValueTask.FromResult<long?>(info.Exists ? info.Length : null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "stat", path);
        }
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (!File.Exists(path))
            {
                return ValueTask.CompletedTask;
            }
            File.Delete(path);
            // An unlink that is not durable can bring a blob back after a crash, with nothing left that
            // tracks it (DESIGN invariant 4).
            if (_fsyncDirectories)
            {
                DirectorySync.Fsync(Path.GetDirectoryName(path)!);
            }
            return ValueTask.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "delete", path);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Walks directories depth-first in ordinal order, holding one directory listing per level, so
    /// memory stays bounded by the fan-out, not the number of blobs.
    /// </remarks>
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        // Listing is blocking directory IO: leave the caller's context before starting it.
        await Task.Yield();
        var lastSlash = prefix.LastIndexOf('/');
        var startRelative = lastSlash < 0 ? "" : prefix[..(lastSlash + 1)];
        var startDirectory = startRelative.Length == 0 ? _root : PathOf(startRelative.TrimEnd('/'));
        foreach (var name in Walk(startDirectory, startRelative, prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
    }

    /// <summary>
    /// Deletes temp files (left by writes a crash interrupted) whose last write is older than
    /// <paramref name="olderThan"/>, and returns how many it removed. Choose an age well above the
    /// longest write so no write in flight loses its file.
    /// </summary>
    public ValueTask<int> CleanupTempFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        var cutoff = _timeProvider.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        try
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
            foreach (var file in Directory.EnumerateFiles(_root, BlobName.TempPrefix + "*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (File.GetLastWriteTimeUtc(file) < cutoff)
                {
                    File.Delete(file);
                    removed++;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "temp cleanup", _root);
        }
        return ValueTask.FromResult(removed);
    }

    private IEnumerable<string> Walk(string directory, string relative, string prefix)
    {
        List<(string Key, string Path, bool IsDirectory)> entries;
        try
        {
            if (!Directory.Exists(directory))
            {
                yield break;
            }
            entries = [];
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                var isDirectory = entry is DirectoryInfo;
                if (!isDirectory && entry.Name.StartsWith(BlobName.TempPrefix, StringComparison.Ordinal))
                {
                    continue;
                }
                // A directory sorts as "name/" so the depth-first walk yields names in global ordinal order.
                var key = relative + entry.Name + (isDirectory ? "/" : "");
                var relevant = isDirectory
                    ? key.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(key, StringComparison.Ordinal)
                    : key.StartsWith(prefix, StringComparison.Ordinal);
                if (relevant)
                {
                    entries.Add((key, entry.FullName, isDirectory));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "list", directory);
        }
        entries.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, path, isDirectory) in entries)
        {
            if (!isDirectory)
            {
                yield return key;
                continue;
            }
            foreach (var name in Walk(path, key, prefix))
            {
                yield return name;
            }
        }
    }

    private string PathOf(string name)
    {
        BlobName.ThrowIfInvalid(name);
        var path = Path.Join(_root, name.Replace('/', Path.DirectorySeparatorChar));
        // Defence in depth: validation already rules out '..' and absolute names.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob name '{name}' escapes the root directory.", nameof(name));
        }
        return path;
    }

    private void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var missing = new Stack<string>();
        for (var current = directory; current.Length > _root.Length && !Directory.Exists(current); current = Path.GetDirectoryName(current)!)
        {
            missing.Push(current);
        }
        while (missing.TryPop(out var created))
        {
            Directory.CreateDirectory(created);
            // The new directory's entry lives in its parent: fsync the parent so it survives a crash.
            if (_fsyncDirectories)
            {
                DirectorySync.Fsync(Path.GetDirectoryName(created)!);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: CleanupTempFilesAsync removes what is left.
        }
    }
}
