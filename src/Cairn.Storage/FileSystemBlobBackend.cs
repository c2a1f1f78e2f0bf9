namespace Cairn.Storage;

/// <summary>
/// Blobs as files under one root directory. A blob name maps to a relative path; writes go to a
/// temp file in the target directory, are flushed to disk, renamed over the target and the directory
/// is fsynced (garage <c>write_block_inner</c>), so a crash leaves the old bytes or the new ones.
/// </summary>
/// <remarks>
/// <para>
/// A crash can leave <c>.tmp-*</c> files behind; they are never listed, and
/// <see cref="CleanupTempFilesAsync"/> removes them once they are older than any write in flight.
/// Multipart uploads live under <c>.tmp-multipart/&lt;upload id&gt;/</c> (a reserved segment, so
/// never a blob name) until they complete or abort.
/// </para>
/// <para>
/// Unlike an S3 bucket, a directory cannot also be a file: a name cannot be both a blob and a
/// directory of other blobs (<c>a</c> and <c>a/b</c>). Cairn's generated names never are.
/// </para>
/// </remarks>
public sealed partial class FileSystemBlobBackend : IBlobBackend
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
        _uploadsRoot = Path.Join(_root, UploadsDirectoryName);
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        await WriteFileAsync(path, data, overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The temp file is hard-linked to the name (link(2)), which fails when the name exists: two racing
    /// creators cannot both win.
    /// </remarks>
    public async ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (File.Exists(path))
        {
            return false;
        }
        return await WriteFileAsync(path, data, overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = PathOf(name);
        try
        {
            return await FileReads.ReadAtAsync(path, FileShare.Read | FileShare.Delete, offset, buffer, cancellationToken).ConfigureAwait(false);
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
            if (DeleteFile(path))
            {
                // An unlink that is not durable can bring a blob back after a crash, with nothing left that
                // tracks it (DESIGN invariant 4).
                FsyncDirectory(Path.GetDirectoryName(path)!);
            }
            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "delete", path);
        }
    }

    /// <inheritdoc />
    /// <remarks>Unlinks every file first and fsyncs each touched directory once at the end.</remarks>
    public ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidDeleteBatch(names);
        cancellationToken.ThrowIfCancellationRequested();
        var failures = new List<BlobDeleteFailure>();
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var path = PathOf(name);
            try
            {
                if (DeleteFile(path))
                {
                    touched.Add(Path.GetDirectoryName(path)!);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add(new BlobDeleteFailure(name, ex.Message, FileSystemErrors.IsTransient(ex)));
            }
        }
        foreach (var directory in touched)
        {
            try
            {
                FsyncDirectory(directory);
            }
            catch (IOException ex)
            {
                // The unlinks happened but may not survive a crash: report them so the caller retries.
                foreach (var name in names)
                {
                    if (string.Equals(Path.GetDirectoryName(PathOf(name)), directory, StringComparison.Ordinal))
                    {
                        failures.Add(new BlobDeleteFailure(name, ex.Message, IsTransient: true));
                    }
                }
            }
        }
        return ValueTask.FromResult<IReadOnlyList<BlobDeleteFailure>>(failures);
    }

    /// <summary>
    /// Deletes temp files (left by writes a crash interrupted) whose last write is older than
    /// <paramref name="olderThan"/>, and returns how many it removed. Choose an age well above the
    /// longest write so no write in flight loses its file. Also removes upload directories a crash
    /// left half-begun (no <c>target</c> file). Multipart uploads themselves are left alone: a cleaner
    /// aborts them through <see cref="ListMultipartUploadsAsync"/>.
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
            removed += CleanupHalfBegunUploads(cutoff);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "temp cleanup", _root);
        }
        return ValueTask.FromResult(removed);
    }

    /// <summary>
    /// Writes <paramref name="data"/> to a temp file beside <paramref name="path"/>, flushes it to disk
    /// and moves it into place. Returns false (writing nothing) when <paramref name="overwrite"/> is
    /// false and the path exists.
    /// </summary>
    private async ValueTask<bool> WriteFileAsync(string path, ReadOnlyMemory<byte> data, bool overwrite, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = TempPathIn(directory);
        try
        {
            EnsureDirectory(directory);
            await using (var stream = new FileStream(temp, NewFileOptions(data.Length)))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            // From here on the write completes even if cancelled: the bytes are already durable.
            if (!MoveIntoPlace(temp, path, overwrite))
            {
                return false;
            }
            FsyncDirectory(directory);
            return true;
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

    /// <summary>
    /// Renames <paramref name="temp"/> to <paramref name="path"/>, or, when not overwriting, links it
    /// there (false when the path exists) and removes the temp name. Either way <paramref name="temp"/> is gone after.
    /// </summary>
    private static bool MoveIntoPlace(string temp, string path, bool overwrite)
    {
        if (overwrite)
        {
            File.Move(temp, path, overwrite: true);
            return true;
        }
        var created = HardLink.TryCreate(temp, path);
        File.Delete(temp);
        return created;
    }

    private static FileStreamOptions NewFileOptions(long preallocationSize) => new()
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Share = FileShare.None,
        Options = FileOptions.Asynchronous,
        BufferSize = 0,
        PreallocationSize = preallocationSize,
    };

    private static string TempPathIn(string directory) => Path.Join(directory, BlobName.TempPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Unlinks a file; false when there was none (a missing directory included).</summary>
    private static bool DeleteFile(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }
            File.Delete(path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    private void FsyncDirectory(string directory)
    {
        if (_fsyncDirectories)
        {
            DirectorySync.Fsync(directory);
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
            FsyncDirectory(Path.GetDirectoryName(created)!);
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
