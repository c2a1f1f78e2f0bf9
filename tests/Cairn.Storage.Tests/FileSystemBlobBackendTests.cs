namespace Cairn.Storage.Tests;

public sealed class FileSystemBlobBackendTests : BlobBackendConformanceTests, IDisposable
{
    private const int Timeout = 30_000;

    private readonly string _sandbox = Path.Combine(Path.GetTempPath(), "cairn-fs-tests-" + Guid.NewGuid().ToString("N"));

    private string Root => Path.Combine(_sandbox, "root");

    protected override ValueTask<IBlobBackend> CreateBackendAsync() =>
        ValueTask.FromResult<IBlobBackend>(new FileSystemBlobBackend(new FileSystemBlobBackendOptions { RootDirectory = Root }));

    private FileSystemBlobBackend FileSystemBackend => (FileSystemBlobBackend)Backend;

    public void Dispose()
    {
        if (Directory.Exists(_sandbox))
        {
            Directory.Delete(_sandbox, recursive: true);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Puts_leave_no_temp_files_behind()
    {
        // Act
        for (var i = 0; i < 20; i++)
        {
            await Backend.PutAsync($"chunks/{i % 3}/blob-{i}", RandomBytes(100, i), Ct);
            await Backend.PutAsync("chunks/overwritten", RandomBytes(100, i), Ct);
        }

        // Assert
        Assert.DoesNotContain(Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories),
            static f => Path.GetFileName(f).StartsWith(BlobName.TempPrefix, StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task Blobs_are_files_under_the_root_and_nothing_is_written_beside_it()
    {
        // Act
        await Backend.PutAsync("chunks/ab/abcdef", RandomBytes(10), Ct);
        await Backend.PutAsync("top", RandomBytes(10), Ct);

        // Assert
        Assert.Equal([Root], Directory.EnumerateFileSystemEntries(_sandbox));
        var files = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([Path.Combine(Root, "chunks", "ab", "abcdef"), Path.Combine(Root, "top")], files);
        Assert.Equal(RandomBytes(10), await File.ReadAllBytesAsync(Path.Combine(Root, "chunks", "ab", "abcdef")));
    }

    [Fact(Timeout = Timeout)]
    public async Task Temp_files_are_never_listed()
    {
        // Arrange
        await Backend.PutAsync("chunks/real", RandomBytes(10), Ct);
        await File.WriteAllBytesAsync(Path.Combine(Root, "chunks", BlobName.TempPrefix + "crashed"), [1, 2, 3]);

        // Act
        var listed = await ListAllAsync("");

        // Assert
        Assert.Equal(["chunks/real"], listed);
    }

    [Fact(Timeout = Timeout)]
    public async Task CleanupTempFiles_removes_stale_temp_files_and_keeps_fresh_ones_and_blobs()
    {
        // Arrange
        await Backend.PutAsync("chunks/ab/real", RandomBytes(10), Ct);
        var stale = Path.Combine(Root, "chunks", "ab", BlobName.TempPrefix + "stale");
        var fresh = Path.Combine(Root, "chunks", BlobName.TempPrefix + "fresh");
        await File.WriteAllBytesAsync(stale, [1]);
        await File.WriteAllBytesAsync(fresh, [2]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - TimeSpan.FromHours(2));

        // Act
        var removed = await FileSystemBackend.CleanupTempFilesAsync(TimeSpan.FromHours(1), Ct);

        // Assert
        Assert.Equal(1, removed);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.Equal(10, await Backend.GetLengthAsync("chunks/ab/real", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_put_works_with_directory_fsync_turned_off()
    {
        // Arrange
        var backend = new FileSystemBlobBackend(new FileSystemBlobBackendOptions { RootDirectory = Root, FsyncDirectories = false });

        // Act
        await backend.PutAsync("no/fsync", RandomBytes(10), Ct);

        // Assert
        Assert.Equal(10, await backend.GetLengthAsync("no/fsync", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_cancelled_put_leaves_neither_blob_nor_temp_file()
    {
        // Arrange
        await Backend.PutAsync("chunks/existing", RandomBytes(1), Ct);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Backend.PutAsync("chunks/cancelled", RandomBytes(10), cts.Token));

        // Assert
        Assert.Equal(["existing"], Directory.EnumerateFiles(Path.Combine(Root, "chunks")).Select(Path.GetFileName));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_file_where_a_directory_is_needed_gives_a_permanent_BlobBackendException()
    {
        // Arrange
        await Backend.PutAsync("blocker", RandomBytes(1), Ct);

        // Act
        var ex = await Assert.ThrowsAsync<BlobBackendException>(async () => await Backend.PutAsync("blocker/child", RandomBytes(1), Ct));

        // Assert
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public void A_missing_root_directory_setting_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new FileSystemBlobBackend(new FileSystemBlobBackendOptions()));
    }

    [Fact]
    public void Directory_fsync_of_an_existing_directory_succeeds()
    {
        Directory.CreateDirectory(_sandbox);
        DirectorySync.Fsync(_sandbox);
    }

    [Fact]
    public void Directory_fsync_of_a_missing_directory_throws_IOException_carrying_ENOENT_on_Linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var ex = Assert.Throws<IOException>(() => DirectorySync.Fsync(Path.Combine(_sandbox, "missing")));
        Assert.Equal(2, ex.HResult);
    }

    [Theory]
    [InlineData(28, true)] // ENOSPC
    [InlineData(122, true)] // EDQUOT
    [InlineData(4, true)] // EINTR
    [InlineData(5, false)] // EIO
    [InlineData(30, false)] // EROFS
    public void Linux_errno_values_are_classified_transient_or_permanent(int errno, bool transient)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        Assert.Equal(transient, FileSystemErrors.IsTransient(new IOException("x", errno)));
    }

    [Fact]
    public void Missing_files_and_access_denials_are_never_transient()
    {
        Assert.False(FileSystemErrors.IsTransient(new FileNotFoundException()));
        Assert.False(FileSystemErrors.IsTransient(new UnauthorizedAccessException()));
    }
}
