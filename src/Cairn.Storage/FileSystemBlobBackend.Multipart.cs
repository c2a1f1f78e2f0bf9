using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Storage;

public sealed partial class FileSystemBlobBackend
{
    // The upload area is a reserved segment (BlobName.TempPrefix), so no blob name can reach it.
    private const string UploadsDirectoryName = BlobName.TempPrefix + "multipart";
    private const string TargetFileName = "target";
    private const int UploadIdLength = 32;
    private const int CopyBufferSize = 1024 * 1024;

    private readonly string _uploadsRoot;

    /// <inheritdoc />
    /// <remarks>
    /// Creates <c>.tmp-multipart/&lt;id&gt;/target</c> holding the blob name. A begin cut short by a
    /// crash leaves a directory without <c>target</c>, which <see cref="CleanupTempFilesAsync"/> removes.
    /// </remarks>
    public async ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        cancellationToken.ThrowIfCancellationRequested();
        var uploadId = Guid.NewGuid().ToString("N");
        var target = Path.Join(_uploadsRoot, uploadId, TargetFileName);
        await WriteFileAsync(target, Encoding.UTF8.GetBytes(name), overwrite: false, cancellationToken).ConfigureAwait(false);
        return uploadId;
    }

    /// <inheritdoc />
    /// <remarks>The part is a file named by its number, replaced atomically; its ETag is the MD5 of its bytes, as in S3.</remarks>
    public async ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartNumber(partNumber);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = OpenUpload(name, uploadId);
        var etag = Convert.ToHexStringLower(MD5.HashData(data.Span));
        var path = PartPath(directory, partNumber);
        var temp = TempPathIn(directory);
        try
        {
            // No EnsureDirectory: an upload aborted meanwhile must not be brought back to life.
            await using (var stream = new FileStream(temp, NewFileOptions(data.Length)))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            FsyncDirectory(directory);
        }
        catch (DirectoryNotFoundException)
        {
            TryDelete(temp);
            throw BlobErrors.NoSuchUpload(name, uploadId);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (ex is OperationCanceledException)
            {
                throw;
            }
            throw FileSystemErrors.Wrap(ex, "part write", path);
        }
        return new BlobPart(partNumber, etag);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Copies the parts into one temp file beside the blob, hashing each part on the way to check its
    /// ETag, fsyncs it and renames it over the name; then removes the upload. A crash before the
    /// rename leaves the upload whole; after it, the blob is complete and the leftover upload is
    /// listed until aborted.
    /// </remarks>
    public async ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartList(parts);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = OpenUpload(name, uploadId);
        var partFiles = new FileInfo[parts.Count];
        long total = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            var file = new FileInfo(PartPath(directory, parts[i].PartNumber));
            if (!file.Exists)
            {
                throw BlobErrors.InvalidPart(name, parts[i].PartNumber);
            }
            if (i < parts.Count - 1 && file.Length < BlobLimits.MinPartSize)
            {
                throw BlobErrors.PartTooSmall(name, parts[i].PartNumber, file.Length);
            }
            partFiles[i] = file;
            total += file.Length;
        }

        var path = PathOf(name);
        var targetDirectory = Path.GetDirectoryName(path)!;
        var temp = TempPathIn(targetDirectory);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            EnsureDirectory(targetDirectory);
            await using (var output = new FileStream(temp, NewFileOptions(total)))
            {
                for (var i = 0; i < parts.Count; i++)
                {
                    var md5 = await CopyHashingAsync(partFiles[i].FullName, output, buffer, cancellationToken).ConfigureAwait(false);
                    if (!string.Equals(md5, BlobArguments.ETagText(parts[i].ETag), StringComparison.OrdinalIgnoreCase))
                    {
                        throw BlobErrors.InvalidPart(name, parts[i].PartNumber);
                    }
                }
                output.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            FsyncDirectory(targetDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or OperationCanceledException or BlobBackendException)
        {
            TryDelete(temp);
            if (ex is OperationCanceledException or BlobBackendException)
            {
                throw;
            }
            throw FileSystemErrors.Wrap(ex, "multipart complete", path);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        TryDeleteUpload(directory);
    }

    /// <inheritdoc />
    public ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalid(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsUploadId(uploadId))
        {
            return ValueTask.CompletedTask;
        }
        var directory = Path.Join(_uploadsRoot, uploadId);
        if (ReadTarget(directory) != name)
        {
            return ValueTask.CompletedTask;
        }
        try
        {
            DeleteUpload(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "multipart abort", directory);
        }
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        await Task.Yield();
        var uploads = new List<BlobMultipartUpload>();
        try
        {
            if (Directory.Exists(_uploadsRoot))
            {
                foreach (var directory in new DirectoryInfo(_uploadsRoot).EnumerateDirectories())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!IsUploadId(directory.Name) || ReadTarget(directory.FullName) is not { } name || !name.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }
                    var initiated = File.GetLastWriteTimeUtc(Path.Join(directory.FullName, TargetFileName));
                    uploads.Add(new BlobMultipartUpload(name, directory.Name, new DateTimeOffset(initiated, TimeSpan.Zero)));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "multipart list", _uploadsRoot);
        }
        uploads.Sort(static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : a.Initiated.CompareTo(b.Initiated);
        });
        foreach (var upload in uploads)
        {
            yield return upload;
        }
    }

    /// <summary>Removes upload directories that a crash left without their <c>target</c> file, when older than <paramref name="cutoff"/>.</summary>
    private int CleanupHalfBegunUploads(DateTime cutoff)
    {
        if (!Directory.Exists(_uploadsRoot))
        {
            return 0;
        }
        var removed = 0;
        foreach (var directory in new DirectoryInfo(_uploadsRoot).EnumerateDirectories())
        {
            if (!File.Exists(Path.Join(directory.FullName, TargetFileName)) && directory.LastWriteTimeUtc < cutoff)
            {
                directory.Delete(recursive: true);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>The upload's directory; throws the non-transient "no such upload" when it is unknown or belongs to another name.</summary>
    private string OpenUpload(string name, string uploadId)
    {
        if (!IsUploadId(uploadId))
        {
            throw BlobErrors.NoSuchUpload(name, uploadId);
        }
        var directory = Path.Join(_uploadsRoot, uploadId);
        return ReadTarget(directory) == name ? directory : throw BlobErrors.NoSuchUpload(name, uploadId);
    }

    private static string? ReadTarget(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Join(directory, TargetFileName), Encoding.UTF8);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw FileSystemErrors.Wrap(ex, "multipart read", directory);
        }
    }

    /// <summary>
    /// Deletes the parts, then <c>target</c>, then the directory: a crash part-way leaves either a
    /// listed upload (abort again) or a directory without target (removed by the temp cleanup).
    /// </summary>
    private void DeleteUpload(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            if (!string.Equals(Path.GetFileName(file), TargetFileName, StringComparison.Ordinal))
            {
                File.Delete(file);
            }
        }
        File.Delete(Path.Join(directory, TargetFileName));
        Directory.Delete(directory, recursive: true);
        FsyncDirectory(_uploadsRoot);
    }

    private void TryDeleteUpload(string directory)
    {
        try
        {
            DeleteUpload(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The blob is complete; the leftover upload stays listed until a cleaner aborts it.
        }
    }

    private static async ValueTask<string> CopyHashingAsync(string source, FileStream output, byte[] buffer, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);
        int read;
        while ((read = await input.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
        {
            md5.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    private static string PartPath(string directory, int partNumber) => Path.Join(directory, $"part-{partNumber:D5}");

    /// <summary>Upload ids are 32 lowercase hex digits; anything else never becomes a path.</summary>
    private static bool IsUploadId(string uploadId) =>
        uploadId.Length == UploadIdLength && uploadId.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;
}
