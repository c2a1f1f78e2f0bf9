using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage;

/// <summary>
/// Segments as files <c>&lt;name&gt;.seg</c> in one local directory, made when the first segment is.
/// A new segment's directory entry is fsynced when it is created, so a segment whose bytes were
/// flushed is found after a crash.
/// </summary>
public sealed class FileSystemSegmentStore : ISegmentStore
{
    private const string Extension = ".seg";
    private readonly string _root;

    /// <summary>Segments in <paramref name="rootDirectory"/>, created with the first segment.</summary>
    public FileSystemSegmentStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
    }

    /// <summary>The absolute directory.</summary>
    public string RootDirectory => _root;

    /// <inheritdoc />
    public ValueTask<SegmentWriter> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (!Directory.Exists(_root))
        {
            Directory.CreateDirectory(_root);
            if (DirectorySync.IsSupported)
            {
                DirectorySync.Fsync(Path.GetDirectoryName(_root)!);
            }
        }
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        try
        {
            if (DirectorySync.IsSupported)
            {
                DirectorySync.Fsync(_root);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return ValueTask.FromResult<SegmentWriter>(new FileSegmentWriter(name, handle, 0));
    }

    /// <inheritdoc />
    public ValueTask<SegmentWriter> ResumeAsync(string name, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
        try
        {
            if (RandomAccess.GetLength(handle) < length)
            {
                throw new InvalidOperationException($"Segment {name} is shorter than {length} bytes.");
            }
            RandomAccess.SetLength(handle, length);
            RandomAccess.FlushToDisk(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
        return ValueTask.FromResult<SegmentWriter>(new FileSegmentWriter(name, handle, length));
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var path = PathOf(name);
        try
        {
            // Shared for writing: the segment's writer may be appending.
            return await FileReads.ReadAtAsync(path, FileShare.ReadWrite | FileShare.Delete, offset, buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return ValueTask.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024,
                FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var names = !Directory.Exists(_root) ? [] : Directory.EnumerateFiles(_root, "*" + Extension)
            .Select(static path => Path.GetFileName(path)[..^Extension.Length])
            .Where(static name => IsValid(name))
            .Order(StringComparer.Ordinal)
            .ToList();
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(path))
        {
            return ValueTask.CompletedTask;
        }
        File.Delete(path);
        if (DirectorySync.IsSupported)
        {
            DirectorySync.Fsync(_root);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public long GetUsedBytes() => !Directory.Exists(_root) ? 0 :
        Directory.EnumerateFiles(_root, "*" + Extension).Sum(static path => new FileInfo(path) is { Exists: true } file ? file.Length : 0);

    private string PathOf(string name)
    {
        SegmentName.Validate(name);
        return Path.Join(_root, name + Extension);
    }

    private static bool IsValid(string name)
    {
        try
        {
            SegmentName.Validate(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private sealed class FileSegmentWriter(string name, SafeFileHandle handle, long length) : SegmentWriter(name, length)
    {
        protected override async ValueTask WriteAtAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (!data.IsEmpty)
            {
                await RandomAccess.WriteAsync(handle, data, offset, cancellationToken).ConfigureAwait(false);
            }
        }

        // fsync blocks its thread: run it on the pool, not on the caller's.
        protected override ValueTask SyncAsync() => new(Task.Run(() => RandomAccess.FlushToDisk(handle)));

        protected override ValueTask CloseAsync()
        {
            handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
