using System.Data.Common;
using System.Data;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// The uploads at or after a position: keys from <c>@from</c> on, except that uploads of the key
    /// <c>@from</c> itself must come after (<c>@initiated</c>, <c>@uploadId</c>). A position at the
    /// start of a key uses <see cref="long.MinValue"/> and the empty id, which every upload follows.
    /// </summary>
    private const string UploadListSelect =
        "SELECT " + UploadColumns + " FROM multipart_uploads WHERE bucket = @bucket AND key >= @from " +
        "AND (key > @from OR initiated > @initiated OR (initiated = @initiated AND upload_id > @uploadId))";

    private const string UploadListOrder = " ORDER BY key, initiated, upload_id LIMIT @limit";

    private static readonly MultipartUploadListing EmptyUploadListing = new([], [], IsTruncated: false, NextKeyMarker: null, NextUploadIdMarker: null);

    /// <inheritdoc />
    public async ValueTask<MultipartUploadListing> ListMultipartUploadsAsync(string bucket, MultipartUploadsQuery query,
        CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(query.Prefix);
        var delimiter = string.IsNullOrEmpty(query.Delimiter) ? null : Encoding.UTF8.GetBytes(query.Delimiter);
        var upper = Successor(prefix);
        if (query.MaxUploads <= 0)
        {
            return EmptyUploadListing;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        if (await UploadsStartAsync(connection, bucket, prefix, delimiter, query, cancellationToken) is not { } start
            || (upper is not null && start.From.AsSpan().SequenceCompareTo(upper) >= 0))
        {
            return EmptyUploadListing;
        }

        var uploads = new List<MultipartUploadRecord>();
        await using var command = connection.CreateCommand(upper is null
            ? UploadListSelect + UploadListOrder
            : UploadListSelect + " AND key < @upper" + UploadListOrder);
        command.Add("@bucket", DbType.String, bucket);
        var fromParameter = command.Add("@from", DbType.Binary);
        var initiatedParameter = command.Add("@initiated", DbType.Int64);
        var uploadIdParameter = command.Add("@uploadId", DbType.String);
        var limitParameter = command.Add("@limit", DbType.Int64);
        command.Add("@upper", DbType.Binary, upper);

        var page = await ReadDelimitedPageAsync(command, limitParameter, query.MaxUploads, prefix, delimiter, keyColumn: 2,
            start: start,
            bind: position => (fromParameter.Value, initiatedParameter.Value, uploadIdParameter.Value) = position,
            addRow: (reader, key) =>
            {
                var upload = ReadUpload(reader);
                uploads.Add(upload);
                return (key, reader.GetLong(3), upload.UploadId);
            },
            startOfKey: static next => (next, long.MinValue, ""),
            cancellationToken);
        if (page.LastWasCommonPrefix)
        {
            return new MultipartUploadListing(uploads, page.CommonPrefixes, page.Truncated, page.CommonPrefixes[^1], NextUploadIdMarker: null);
        }
        return new MultipartUploadListing(uploads, page.CommonPrefixes, page.Truncated, uploads.Count > 0 ? uploads[^1].Key : null,
            uploads.Count > 0 ? uploads[^1].UploadId : null);
    }

    /// <summary>
    /// Where a page of uploads starts (see <see cref="UploadListSelect"/>); null when nothing can follow.
    /// A key marker inside a common prefix resumes after the whole prefix (as object listing does).
    /// With an upload id marker, the page resumes after that upload within the marker's key; when
    /// that upload is gone (completed or aborted since), at the start of the key: a continuation may
    /// then repeat an upload, but never skips one.
    /// </summary>
    private static async ValueTask<(byte[] From, long Initiated, string UploadId)?> UploadsStartAsync(DbConnection connection,
        string bucket, byte[] prefix, byte[]? delimiter, MultipartUploadsQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query.KeyMarker))
        {
            return (prefix, long.MinValue, "");
        }
        var marker = Encoding.UTF8.GetBytes(query.KeyMarker);
        if (marker.AsSpan().SequenceCompareTo(prefix) < 0)
        {
            return (prefix, long.MinValue, "");
        }
        if (CommonPrefixOf(marker, prefix, delimiter) is { } rolledUp)
        {
            return Successor(rolledUp) is { } next ? (next, long.MinValue, "") : null;
        }
        if (string.IsNullOrEmpty(query.UploadIdMarker))
        {
            return (ImmediateSuccessor(marker), long.MinValue, "");
        }
        await using var command = connection.CreateCommand(
            "SELECT initiated FROM multipart_uploads WHERE bucket = @bucket AND key = @key AND upload_id = @upload");
        command.Add("@bucket", DbType.String, bucket);
        command.Add("@key", DbType.Binary, marker);
        command.Add("@upload", DbType.String, query.UploadIdMarker);
        var initiated = await command.ExecuteScalarAsync(cancellationToken);
        return initiated is null or DBNull
            ? (marker, long.MinValue, "")
            : (marker, Convert.ToInt64(initiated, System.Globalization.CultureInfo.InvariantCulture), query.UploadIdMarker);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ListMultipartUploadsInitiatedBeforeAsync(DateTimeOffset cutoff, int max,
        CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        if (max <= 0)
        {
            return ids;
        }
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(
            "SELECT upload_id FROM multipart_uploads WHERE initiated < @cutoff ORDER BY initiated, upload_id LIMIT @max");
        command.Add("@cutoff", DbType.Int64, SqlParameters.ToUnixMs(cutoff));
        command.Add("@max", DbType.Int64, (long)max);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }
}
