using System.Data.Common;
using System.Data;
using System.Text;
using Cairn.Core;

namespace Cairn.Metadata;

public abstract partial class SqlMetadataStore
{
    /// <summary>
    /// First batch size when a delimiter is set. Each common prefix ends a batch (the next query
    /// seeks past it), so small batches bound what a seek wastes; batches of plain keys double.
    /// </summary>
    private const int DelimitedInitialBatch = 8;

    private const string ListSelect =
        "SELECT key, size, etag, last_modified, storage_class FROM objects WHERE bucket = @bucket AND key >= @from AND delete_marker = 0";
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
        await using var connection = await OpenReadConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand(upper is null ? ListSelect + ListOrder : ListSelect + " AND key < @upper" + ListOrder);
        command.Add("@bucket", DbType.String, bucket);
        var fromParameter = command.Add("@from", DbType.Binary);
        var limitParameter = command.Add("@limit", DbType.Int64);
        command.Add("@upper", DbType.Binary, upper);

        var page = await ReadDelimitedPageAsync(command, limitParameter, query.MaxKeys, prefix, delimiter, keyColumn: 0,
            start: from,
            bind: position => fromParameter.Value = position,
            addRow: (reader, key) =>
            {
                objects.Add(new ObjectSummary(Encoding.UTF8.GetString(key), reader.GetLong(1), reader.GetString(2),
                    SqlParameters.FromUnixMs(reader.GetLong(3)))
                {
                    StorageClass = reader.GetNullableString(4),
                });
                return ImmediateSuccessor(key);
            },
            startOfKey: static next => next,
            cancellationToken);
        var last = page.LastWasCommonPrefix ? page.CommonPrefixes[^1] : objects.Count > 0 ? objects[^1].Key : null;
        return new ObjectListing(objects, page.CommonPrefixes, page.Truncated, last);
    }

    /// <summary>What <see cref="ReadDelimitedPageAsync"/> found besides the rows its caller collected.</summary>
    private sealed record DelimitedPage(List<string> CommonPrefixes, bool Truncated, bool LastWasCommonPrefix);

    /// <summary>
    /// The batching and seeking object and upload listings share. Reads rows ordered by key from
    /// <paramref name="start"/> until <paramref name="maxItems"/> items (rows plus common prefixes)
    /// are taken, plus one row more to prove truncation. With a delimiter a key that contains it
    /// after the prefix rolls up into a common prefix, and the next query seeks past every key under
    /// it (<paramref name="startOfKey"/> of the prefix's successor), so their number never matters.
    /// Batches start small with a delimiter (each roll-up ends one) and double over plain keys.
    /// <paramref name="bind"/> sets the command's position parameters; <paramref name="addRow"/>
    /// takes a plain row and returns the position just after it.
    /// </summary>
    private async ValueTask<DelimitedPage> ReadDelimitedPageAsync<TPosition>(DbCommand command, DbParameter limitParameter, int maxItems,
        byte[] prefix, byte[]? delimiter, int keyColumn, TPosition start, Action<TPosition> bind,
        Func<DbDataReader, byte[], TPosition> addRow, Func<byte[], TPosition> startOfKey, CancellationToken cancellationToken)
    {
        var commonPrefixes = new List<string>();
        var position = start;
        var taken = 0;
        var truncated = false;
        var lastWasCommonPrefix = false;
        // Long arithmetic: maxItems + 1 must not overflow when a caller passes int.MaxValue.
        long batch = delimiter is null ? maxItems + 1L : DelimitedInitialBatch;
        while (true)
        {
            // One row more than the page needs: a row after a full page proves truncation.
            var limit = Math.Min(batch, maxItems - taken + 1L);
            bind(position);
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
                    if (taken == maxItems)
                    {
                        truncated = true;
                        break;
                    }
                    var key = reader.GetBlob(keyColumn);
                    taken++;
                    if (CommonPrefixOf(key, prefix, delimiter) is { } rolledUp)
                    {
                        commonPrefixes.Add(Encoding.UTF8.GetString(rolledUp));
                        lastWasCommonPrefix = true;
                        var next = Successor(rolledUp);
                        exhausted = next is null;
                        if (next is not null)
                        {
                            position = startOfKey(next);
                        }
                        seeked = true;
                        break;
                    }
                    position = addRow(reader, key);
                    lastWasCommonPrefix = false;
                }
            }
            if (truncated || exhausted || (!seeked && rows < limit))
            {
                return new DelimitedPage(commonPrefixes, truncated, lastWasCommonPrefix);
            }
            batch = seeked ? DelimitedInitialBatch : Math.Min(batch * 2, maxItems + 1L);
        }
    }

    /// <summary>
    /// The common prefix <paramref name="key"/> rolls up into: the prefix and the text after it up
    /// to and including the first delimiter; null without a delimiter or when none follows the prefix.
    /// </summary>
    private static byte[]? CommonPrefixOf(ReadOnlySpan<byte> key, byte[] prefix, byte[]? delimiter)
    {
        if (delimiter is null || !key.StartsWith(prefix))
        {
            return null;
        }
        var at = key[prefix.Length..].IndexOf(delimiter);
        return at < 0 ? null : key[..(prefix.Length + at + delimiter.Length)].ToArray();
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
        return CommonPrefixOf(marker, prefix, delimiter) is { } rolledUp ? Successor(rolledUp) : ImmediateSuccessor(marker);
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
