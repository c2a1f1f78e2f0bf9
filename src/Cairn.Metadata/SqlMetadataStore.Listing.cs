using System.Data;
using System.Text;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// First batch size when a delimiter is set. Each common prefix ends a batch (the next query
    /// seeks past it), so small batches bound what a seek wastes; batches of plain keys double.
    /// </summary>
    private const int DelimitedInitialBatch = 8;

    private const string ListSelect =
        "SELECT key, size, etag, last_modified FROM objects WHERE bucket = @bucket AND key >= @from";
    private const string ListOrder = " ORDER BY key LIMIT @limit";

    private static readonly ObjectListing EmptyListing = new([], [], IsTruncated: false, NextAfter: null);

    /// <inheritdoc />
    public async ValueTask<ObjectListing> ListObjectsAsync(string bucket, ListObjectsQuery query, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(query.Prefix);
        var delimiter = string.IsNullOrEmpty(query.Delimiter) ? null : Encoding.UTF8.GetBytes(query.Delimiter);
        var upper = Successor(prefix);
        if (query.MaxKeys <= 0 || StartAfter(prefix, delimiter, query.After) is not { } from
            || (upper is not null && from.AsSpan().SequenceCompareTo(upper) >= 0))
        {
            return EmptyListing;
        }

        var objects = new List<ObjectSummary>();
        var commonPrefixes = new List<string>();
        string? last = null;
        var truncated = false;
        // Long arithmetic: MaxKeys + 1 must not overflow when a caller passes int.MaxValue.
        long batch = delimiter is null ? query.MaxKeys + 1L : DelimitedInitialBatch;

        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(upper is null ? ListSelect + ListOrder : ListSelect + " AND key < @upper" + ListOrder);
        command.Add("@bucket", DbType.String, bucket);
        var fromParameter = command.Add("@from", DbType.Binary);
        var limitParameter = command.Add("@limit", DbType.Int64);
        command.Add("@upper", DbType.Binary, upper);

        while (true)
        {
            var count = objects.Count + commonPrefixes.Count;
            // One row more than the page needs: a row after a full page proves IsTruncated.
            var limit = Math.Min(batch, query.MaxKeys - count + 1L);
            fromParameter.Value = from;
            limitParameter.Value = limit;
            var rows = 0;
            var seeked = false;
            var exhausted = false;
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows++;
                    Interlocked.Increment(ref _listingRowsRead);
                    if (objects.Count + commonPrefixes.Count == query.MaxKeys)
                    {
                        truncated = true;
                        break;
                    }
                    var key = reader.GetFieldValue<byte[]>(0);
                    var at = delimiter is null ? -1 : key.AsSpan(prefix.Length).IndexOf(delimiter);
                    if (at >= 0)
                    {
                        // Roll up, then seek: the next query starts after every key under this
                        // common prefix, so their number never matters.
                        var rolledUp = key.AsSpan(0, prefix.Length + at + delimiter!.Length).ToArray();
                        last = Encoding.UTF8.GetString(rolledUp);
                        commonPrefixes.Add(last);
                        var next = Successor(rolledUp);
                        exhausted = next is null;
                        from = next ?? from;
                        seeked = true;
                        break;
                    }
                    last = Encoding.UTF8.GetString(key);
                    objects.Add(new ObjectSummary(last, reader.GetLong(1), reader.GetString(2),
                        SqlParameters.FromUnixMs(reader.GetLong(3))));
                    from = ImmediateSuccessor(key);
                }
            }
            if (truncated || exhausted || (!seeked && rows < limit))
            {
                break;
            }
            batch = seeked ? DelimitedInitialBatch : Math.Min(batch * 2, query.MaxKeys + 1L);
        }
        return new ObjectListing(objects, commonPrefixes, truncated, last);
    }

    /// <summary>
    /// The inclusive lower bound of a listing: the prefix, or just past <paramref name="after"/>;
    /// when <paramref name="after"/> lies under a common prefix (a continuation from that prefix, or
    /// a marker inside it), past that whole common prefix, so it is not returned twice.
    /// Null when nothing can follow.
    /// </summary>
    private static byte[]? StartAfter(byte[] prefix, byte[]? delimiter, string? after)
    {
        if (after is null)
        {
            return prefix;
        }
        var marker = Encoding.UTF8.GetBytes(after);
        if (marker.AsSpan().SequenceCompareTo(prefix) < 0)
        {
            return prefix;
        }
        if (delimiter is not null && marker.AsSpan().StartsWith(prefix))
        {
            var at = marker.AsSpan(prefix.Length).IndexOf(delimiter);
            if (at >= 0)
            {
                return Successor(marker.AsSpan(0, prefix.Length + at + delimiter.Length));
            }
        }
        return ImmediateSuccessor(marker);
    }

    /// <summary>The smallest byte string greater than <paramref name="value"/>: the value followed by a zero byte.</summary>
    private static byte[] ImmediateSuccessor(ReadOnlySpan<byte> value)
    {
        var next = new byte[value.Length + 1];
        value.CopyTo(next);
        return next;
    }

    /// <summary>
    /// The smallest byte string greater than every string that starts with <paramref name="prefix"/>
    /// (increment the last byte, dropping trailing 0xFF bytes); null when no such bound exists.
    /// </summary>
    private static byte[]? Successor(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF)
        {
            end--;
        }
        if (end == 0)
        {
            return null;
        }
        var next = prefix[..end].ToArray();
        next[end - 1]++;
        return next;
    }
}
