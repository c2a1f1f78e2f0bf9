using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Cairn.Core;
using Parquet;
using Parquet.Schema;

namespace Cairn.Engine.Inventory;

/// <summary>One row of an inventory report: a version (or delete marker) of a key, as the report lists it.</summary>
internal readonly record struct InventoryRow(string Key, string VersionId, bool IsLatest, bool IsDeleteMarker, long Size, DateTimeOffset LastModified,
    string ETag, bool IsMultipartUploaded, ObjectLockState Lock, string? ChecksumAlgorithm)
{
    /// <summary>The cold tier the version's bytes were moved to; null while they are in the hot store (STANDARD).</summary>
    public string? StorageClass { get; init; }
}

/// <summary>A data file written to a local temporary file, on its way to the destination bucket.</summary>
internal sealed record InventoryDataFile(string TempPath, string Key, long Size, string Md5Hex, IReadOnlyList<InventoryDataGroup> Groups);

/// <summary>A row group of a data file (a CSV file is one): its first and last key (UTF-8 order) and its rows.</summary>
internal sealed record InventoryDataGroup(int Index, string FirstKey, string LastKey, long Rows);

/// <summary>
/// Writes an inventory report's data files, with a fixed, explicit schema: the mandatory columns
/// (bucket and key; with every version, also version id, is-latest and delete marker), then the
/// optional fields asked for, always in <see cref="InventoryFields.ReportOrder"/>. Parquet: zstd at
/// an explicit level, row groups of a set number of rows in key order (Parquet.Net writes
/// min/max statistics per column chunk), timestamps in UTC milliseconds. CSV: gzip, no header, every
/// value quoted, the key percent-encoded, as S3 Inventory writes it.
/// </summary>
internal sealed class InventoryReportWriter
{
    private readonly InventoryConfiguration _configuration;
    private readonly string _sourceBucket;
    private readonly string _dataKeyPrefix;
    private readonly int _rowsPerGroup;
    private readonly int _rowsPerFile;
    private readonly string _tempDirectory;
    private readonly IReadOnlyList<InventoryColumn> _columns;

    public InventoryReportWriter(InventoryConfiguration configuration, string sourceBucket, string dataKeyPrefix, int rowsPerGroup, int rowsPerFile,
        string tempDirectory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowsPerFile, 1);
        _configuration = configuration;
        _sourceBucket = sourceBucket;
        _dataKeyPrefix = dataKeyPrefix;
        _rowsPerGroup = rowsPerGroup;
        _rowsPerFile = rowsPerFile;
        _tempDirectory = tempDirectory;
        _columns = InventoryColumn.For(configuration);
    }

    /// <summary>The columns' description for the manifest's <c>fileSchema</c>.</summary>
    public string FileSchema => _configuration.Format == InventoryFormat.Parquet
        ? "message s3.inventory { " + string.Concat(_columns.Select(static c => c.ParquetDeclaration + "; ")) + "}"
        : string.Join(", ", _columns.Select(static c => c.CsvName));

    /// <summary>
    /// Writes <paramref name="rows"/> (in key order) into data files of up to <c>rowsPerFile</c> rows
    /// (an empty report has one empty file), holding one row group in memory at a time; the caller
    /// uploads the files and deletes them.
    /// </summary>
    public async Task<List<InventoryDataFile>> WriteAsync(IAsyncEnumerable<InventoryRow> rows, CancellationToken cancellationToken)
    {
        var files = new List<InventoryDataFile>();
        OpenFile? open = null;
        try
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                open ??= await OpenFile.CreateAsync(this, cancellationToken).ConfigureAwait(false);
                await open.AddAsync(row, cancellationToken).ConfigureAwait(false);
                if (open.Rows == _rowsPerFile)
                {
                    files.Add(await open.CloseAsync(cancellationToken).ConfigureAwait(false));
                    open = null;
                }
            }
            if (open is not null || files.Count == 0)
            {
                open ??= await OpenFile.CreateAsync(this, cancellationToken).ConfigureAwait(false);
                files.Add(await open.CloseAsync(cancellationToken).ConfigureAwait(false));
                open = null;
            }
            return files;
        }
        catch
        {
            if (open is not null)
            {
                await open.AbandonAsync().ConfigureAwait(false);
            }
            foreach (var file in files)
            {
                File.Delete(file.TempPath);
            }
            throw;
        }
    }

    /// <summary>A data file being written: its row group in memory (Parquet) or its gzip stream (CSV).</summary>
    private sealed class OpenFile : IAsyncDisposable
    {
        private readonly InventoryReportWriter _owner;
        private readonly string _name;
        private readonly FileStream _file;
        private readonly ParquetWriter? _parquet;
        private readonly GZipStream? _gzip;
        private readonly StreamWriter? _csv;
        private readonly List<InventoryRow> _group = [];
        private readonly List<InventoryDataGroup> _groups = [];
        private readonly StringBuilder _line = new();
        private string? _firstKey;
        private string? _lastKey;

        private OpenFile(InventoryReportWriter owner, string name, FileStream file, ParquetWriter? parquet)
        {
            _owner = owner;
            _name = name;
            _file = file;
            _parquet = parquet;
            if (parquet is null)
            {
                _gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true);
                _csv = new StreamWriter(_gzip, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
            }
        }

        public long Rows { get; private set; }

        public string TempPath => _file.Name;

        public static async Task<OpenFile> CreateAsync(InventoryReportWriter owner, CancellationToken cancellationToken)
        {
            var parquet = owner._configuration.Format == InventoryFormat.Parquet;
            var name = Guid.NewGuid().ToString("D") + (parquet ? ".parquet" : ".csv.gz");
            var file = new FileStream(Path.Join(owner._tempDirectory, "cairn-inventory-" + name), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                1 << 16, useAsync: true);
            try
            {
                ParquetWriter? writer = null;
                if (parquet)
                {
                    // The level set explicitly: Optimal is zstd level 3 (Parquet.Net's default, SmallestSize, is level 19).
                    var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = CompressionLevel.Optimal };
                    writer = await ParquetWriter.CreateAsync(new ParquetSchema(owner._columns.Select(static c => c.Field).ToArray()), file, options,
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                return new OpenFile(owner, name, file, writer);
            }
            catch
            {
                await file.DisposeAsync().ConfigureAwait(false);
                File.Delete(file.Name);
                throw;
            }
        }

        public async Task AddAsync(InventoryRow row, CancellationToken cancellationToken)
        {
            Rows++;
            _firstKey ??= row.Key;
            _lastKey = row.Key;
            if (_parquet is not null)
            {
                // Parquet.Net computes a group's min and max in UTF-16 order, keys come in UTF-8 order:
                // the two differ only between a character in U+E000-U+FFFF and one above U+FFFF. A key
                // that sorts below the group's last one in UTF-16 starts a new group, so every group's
                // statistics are its first and last keys in both orders (a reader that skips groups
                // by them never skips a key it looks for).
                if (_group.Count > 0 && string.CompareOrdinal(_group[^1].Key, row.Key) > 0)
                {
                    await FlushGroupAsync(cancellationToken).ConfigureAwait(false);
                }
                _group.Add(row);
                if (_group.Count == _owner._rowsPerGroup)
                {
                    await FlushGroupAsync(cancellationToken).ConfigureAwait(false);
                }
                return;
            }
            _line.Clear();
            var columns = _owner._columns;
            for (var i = 0; i < columns.Count; i++)
            {
                _line.Append(i == 0 ? "\"" : ",\"").Append(columns[i].CsvValue(row, _owner._sourceBucket).Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            _line.Append('\n');
            await _csv!.WriteAsync(_line, cancellationToken).ConfigureAwait(false);
        }

        private async Task FlushGroupAsync(CancellationToken cancellationToken)
        {
            if (_group.Count == 0)
            {
                return;
            }
            using (var group = _parquet!.CreateRowGroup())
            {
                foreach (var column in _owner._columns)
                {
                    await column.WriteAsync(group, _group, _owner._sourceBucket, cancellationToken).ConfigureAwait(false);
                }
                group.CompleteValidate();
            }
            _groups.Add(new InventoryDataGroup(_groups.Count, _group[0].Key, _group[^1].Key, _group.Count));
            _group.Clear();
        }

        /// <summary>Finishes the file and describes it (size, MD5, groups).</summary>
        public async Task<InventoryDataFile> CloseAsync(CancellationToken cancellationToken)
        {
            try
            {
                if (_parquet is not null)
                {
                    await FlushGroupAsync(cancellationToken).ConfigureAwait(false);
                    await _parquet.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    await _csv!.DisposeAsync().ConfigureAwait(false);
                    await _gzip!.DisposeAsync().ConfigureAwait(false);
                    if (Rows > 0)
                    {
                        _groups.Add(new InventoryDataGroup(0, _firstKey!, _lastKey!, Rows));
                    }
                }
                await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
                _file.Position = 0;
                var md5 = Convert.ToHexStringLower(await MD5.HashDataAsync(_file, cancellationToken).ConfigureAwait(false));
                var size = _file.Length;
                await _file.DisposeAsync().ConfigureAwait(false);
                return new InventoryDataFile(_file.Name, _owner._dataKeyPrefix + _name, size, md5, [.. _groups]);
            }
            catch
            {
                await AbandonAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <summary>Closes and deletes the file (a report that failed).</summary>
        public async Task AbandonAsync()
        {
            await DisposeAsync().ConfigureAwait(false);
            File.Delete(_file.Name);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_parquet is not null)
                {
                    await _parquet.DisposeAsync().ConfigureAwait(false);
                }
                if (_csv is not null)
                {
                    await _csv.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Abandoned half-written: the file is deleted next.
            }
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One column of an inventory report: its Parquet field, its CSV name, and how a row fills it.</summary>
internal sealed class InventoryColumn
{
    private enum Kind
    {
        Text,
        Flag,
        Number,
        Time,
    }

    private readonly Kind _kind;
    private readonly Func<InventoryRow, string, object?> _value;

    private InventoryColumn(string parquetName, string csvName, Kind kind, bool required, Func<InventoryRow, string, object?> value)
    {
        CsvName = csvName;
        _kind = kind;
        _value = value;
        Field = kind switch
        {
            Kind.Text => new DataField<string>(parquetName, nullable: !required),
            Kind.Flag => new DataField<bool>(parquetName),
            Kind.Number => new DataField<long?>(parquetName),
            _ => new DateTimeDataField(parquetName, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: !required),
        };
        ParquetDeclaration = kind switch
        {
            Kind.Text => $"{(required ? "required" : "optional")} binary {parquetName} (STRING)",
            Kind.Flag => $"required boolean {parquetName}",
            Kind.Number => $"optional int64 {parquetName}",
            _ => $"{(required ? "required" : "optional")} int64 {parquetName} (TIMESTAMP(MILLIS,true))",
        };
    }

    public DataField Field { get; }

    public string CsvName { get; }

    public string ParquetDeclaration { get; }

    /// <summary>The columns of a report under <paramref name="configuration"/>, in order.</summary>
    public static IReadOnlyList<InventoryColumn> For(InventoryConfiguration configuration)
    {
        var columns = new List<InventoryColumn>
        {
            new("bucket", "Bucket", Kind.Text, required: true, static (_, bucket) => bucket),
            new("key", "Key", Kind.Text, required: true, static (row, _) => row.Key),
        };
        if (configuration.AllVersions)
        {
            // The null version has no id in a report (as on S3).
            columns.Add(new("version_id", "VersionId", Kind.Text, required: false, static (row, _) => row.VersionId == "null" ? null : row.VersionId));
            columns.Add(new("is_latest", "IsLatest", Kind.Flag, required: true, static (row, _) => row.IsLatest));
            columns.Add(new("is_delete_marker", "IsDeleteMarker", Kind.Flag, required: true, static (row, _) => row.IsDeleteMarker));
        }
        foreach (var field in InventoryFields.ReportOrder.Where(configuration.OptionalFields.Contains))
        {
            columns.Add(Optional(field));
        }
        return columns;
    }

    private static InventoryColumn Optional(InventoryField field) => field switch
    {
        InventoryField.Size => new("size", "Size", Kind.Number, false, static (row, _) => row.IsDeleteMarker ? null : row.Size),
        InventoryField.LastModifiedDate => new("last_modified_date", "LastModifiedDate", Kind.Time, true, static (row, _) => row.LastModified),
        InventoryField.ETag => new("e_tag", "ETag", Kind.Text, false, static (row, _) => row.IsDeleteMarker ? null : row.ETag),
        InventoryField.StorageClass => new("storage_class", "StorageClass", Kind.Text, false, static (row, _) => row.IsDeleteMarker ? null : row.StorageClass ?? "STANDARD"),
        InventoryField.IsMultipartUploaded => new("is_multipart_uploaded", "IsMultipartUploaded", Kind.Flag, true, static (row, _) => row.IsMultipartUploaded),
        InventoryField.EncryptionStatus => new("encryption_status", "EncryptionStatus", Kind.Text, false, static (row, _) => row.IsDeleteMarker ? null : "NOT-SSE"),
        InventoryField.ObjectLockRetainUntilDate => new("object_lock_retain_until_date", "ObjectLockRetainUntilDate", Kind.Time, false,
            static (row, _) => row.Lock.Retention?.RetainUntil),
        InventoryField.ObjectLockMode => new("object_lock_mode", "ObjectLockMode", Kind.Text, false,
            static (row, _) => row.Lock.Retention is { } retention ? ObjectLockNames.WireName(retention.Mode) : null),
        InventoryField.ObjectLockLegalHoldStatus => new("object_lock_legal_hold_status", "ObjectLockLegalHoldStatus", Kind.Text, false,
            static (row, _) => row.IsDeleteMarker ? null : row.Lock.LegalHold == true ? "ON" : "OFF"),
        InventoryField.BucketKeyStatus => new("bucket_key_status", "BucketKeyStatus", Kind.Text, false, static (row, _) => row.IsDeleteMarker ? null : "DISABLED"),
        InventoryField.ChecksumAlgorithm => new("checksum_algorithm", "ChecksumAlgorithm", Kind.Text, false, static (row, _) => row.ChecksumAlgorithm),
        // What Cairn has none of (replication, Intelligent-Tiering, ACLs, owners): the column, empty.
        _ => new(SnakeCase(InventoryFields.WireName(field)), InventoryFields.WireName(field), Kind.Text, false, static (_, _) => null),
    };

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>The column's value in a CSV line (empty for none; the key percent-encoded, as S3 writes it).</summary>
    public string CsvValue(InventoryRow row, string bucket) => _value(row, bucket) switch
    {
        null => "",
        string text when CsvName == "Key" => Uri.EscapeDataString(text),
        string text => text,
        bool flag => flag ? "true" : "false",
        long number => number.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset time => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Writes this column of <paramref name="rows"/> into a row group.</summary>
    public async Task WriteAsync(ParquetRowGroupWriter group, List<InventoryRow> rows, string bucket, CancellationToken cancellationToken)
    {
        switch (_kind)
        {
            case Kind.Text:
                var texts = new string?[rows.Count];
                for (var i = 0; i < texts.Length; i++)
                {
                    texts[i] = (string?)_value(rows[i], bucket);
                }
                // The string overload takes no token; a null in an optional column is a missing value.
                await group.WriteAsync(Field, (IReadOnlyCollection<string>)texts!, null).ConfigureAwait(false);
                break;
            case Kind.Flag:
                var flags = new bool[rows.Count];
                for (var i = 0; i < flags.Length; i++)
                {
                    flags[i] = (bool)_value(rows[i], bucket)!;
                }
                await group.WriteAsync<bool>(Field, flags, cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case Kind.Number:
                var numbers = new long?[rows.Count];
                for (var i = 0; i < numbers.Length; i++)
                {
                    numbers[i] = (long?)_value(rows[i], bucket);
                }
                await group.WriteAsync<long>(Field, numbers.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            default:
                if (Field.IsNullable)
                {
                    var times = new DateTime?[rows.Count];
                    for (var i = 0; i < times.Length; i++)
                    {
                        times[i] = ((DateTimeOffset?)_value(rows[i], bucket))?.UtcDateTime;
                    }
                    await group.WriteAsync<DateTime>(Field, times.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var times = new DateTime[rows.Count];
                    for (var i = 0; i < times.Length; i++)
                    {
                        times[i] = ((DateTimeOffset)_value(rows[i], bucket)!).UtcDateTime;
                    }
                    await group.WriteAsync<DateTime>(Field, times, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                break;
        }
    }
}
