using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Cairn.Engine.Archive;
using Cairn.Metadata;

namespace Cairn.Engine.Tests;

/// <summary>
/// An archive snapshot's file (issue 13): what is written reads back the same, and one that is cut
/// short, not gzip, altered, or whose trailer disagrees with its lines is refused whole.
/// </summary>
[Trait("Issue", "13")]
public sealed class BucketSnapshotFormatTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private static readonly DateTimeOffset TakenAt = new(2026, 2, 3, 4, 5, 6, 789, TimeSpan.Zero);

    private static ObjectVersionRecord Version(string key, string versionId, string body) => new()
    {
        Bucket = "b",
        Key = key,
        VersionId = versionId,
        Size = body.Length,
        ETag = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))),
        LastModified = Created.AddMinutes(body.Length),
        InlineBody = Encoding.UTF8.GetBytes(body),
        Tags = new Dictionary<string, string> { ["t"] = key },
        StorageClass = "COLD",
    };

    private static async Task<byte[]> WriteAsync(params (string Key, ObjectVersionRecord[] Versions)[] keys)
    {
        var file = new MemoryStream();
        await using (var writer = new BucketSnapshotFormat.Writer(file, "b", Created, 42, TakenAt))
        {
            foreach (var (key, versions) in keys)
            {
                await writer.WriteKeyAsync(key, versions, Ct);
            }
            await writer.CompleteAsync(Ct);
        }
        return file.ToArray();
    }

    private static Task<BucketSnapshot> ReadAsync(byte[] stored) => BucketSnapshotFormat.ReadAsync(new MemoryStream(stored), Ct);

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    [Fact]
    public async Task What_is_written_reads_back_with_its_header_and_every_version_in_order_without_storage_class()
    {
        var stored = await WriteAsync(("a", [Version("a", "v2", "second"), Version("a", "v1", "first")]), ("é/b", [Version("é/b", "null", "x")]),
            ("empty", []));

        var snapshot = await ReadAsync(stored);

        Assert.Equal(("b", Created, 42L, TakenAt), (snapshot.Bucket, snapshot.BucketCreatedAt, snapshot.Seq, snapshot.TakenAt));
        Assert.Equal(["a", "é/b"], snapshot.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["v2", "v1"], snapshot.Keys["a"].Select(static v => v.VersionId));
        Assert.Equal("second", Encoding.UTF8.GetString(snapshot.Keys["a"][0].InlineBody!));
        Assert.Equal("a", snapshot.Keys["a"][1].Tags["t"]);
        Assert.All(snapshot.Keys.Values.SelectMany(static v => v), static v => Assert.Null(v.StorageClass));
    }

    [Fact]
    public async Task A_snapshot_of_many_keys_spans_many_buffers_and_reads_back_whole()
    {
        var keys = Enumerable.Range(0, 3000).Select(i => ($"k{i:D5}", new[] { Version($"k{i:D5}", "null", new string('x', i % 300)) })).ToArray();

        var snapshot = await ReadAsync(await WriteAsync(keys));

        Assert.Equal(3000, snapshot.Keys.Count);
        Assert.Equal(299, snapshot.Keys["k02999"][0].Size);
    }

    [Fact]
    public async Task An_altered_line_is_refused_by_the_checksum_even_in_valid_gzip()
    {
        var text = Encoding.UTF8.GetString(Gunzip(await WriteAsync(("a", [Version("a", "v1", "first")]))));

        var refused = await Record.ExceptionAsync(() => ReadAsync(Gzip(text.Replace("\"v1\"", "\"v9\"", StringComparison.Ordinal))));

        Assert.Contains("checksum", Assert.IsType<InvalidDataException>(refused).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counts_that_disagree_with_the_lines_are_refused_though_the_checksum_holds()
    {
        var text = Encoding.UTF8.GetString(Gunzip(await WriteAsync(("a", [Version("a", "v1", "first")]))));
        var trailerStart = text.LastIndexOf('\n', text.Length - 2) + 1;
        var body = text[..trailerStart];
        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

        var refused = await Record.ExceptionAsync(() => ReadAsync(Gzip(body + $"{{\"keys\":2,\"versions\":1,\"sha256\":\"{digest}\"}}\n")));

        Assert.Contains("not as many", Assert.IsType<InvalidDataException>(refused).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_written_twice_is_refused()
    {
        var stored = await WriteAsync(("a", [Version("a", "v1", "first")]), ("a", [Version("a", "v2", "again")]));

        var refused = await Record.ExceptionAsync(() => ReadAsync(stored));

        Assert.Contains("twice", Assert.IsType<InvalidDataException>(refused).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cut")] // the gzip stream ends early
    [InlineData("plain")] // not gzip at all
    [InlineData("no-trailer-feed")] // the last line has no line feed
    [InlineData("only-header")] // a header and nothing after it
    [InlineData("other-format")]
    public async Task A_snapshot_cut_short_not_gzip_or_of_another_format_is_refused(string damage)
    {
        var stored = await WriteAsync(("a", [Version("a", "v1", "first")]));
        var text = Encoding.UTF8.GetString(Gunzip(stored));
        var bytes = damage switch
        {
            "cut" => stored[..(stored.Length / 2)],
            "plain" => Encoding.UTF8.GetBytes(text),
            "no-trailer-feed" => Gzip(text[..^1]),
            "only-header" => Gzip(text[..(text.IndexOf('\n', StringComparison.Ordinal) + 1)]),
            _ => Gzip(text.Replace("cairn-snapshot/1", "cairn-snapshot/9", StringComparison.Ordinal)),
        };

        var refused = await Record.ExceptionAsync(() => ReadAsync(bytes));

        Assert.IsType<InvalidDataException>(refused);
    }

    [Fact]
    public void Snapshot_names_parse_back_and_other_names_do_not()
    {
        var name = ArchiveLayout.SnapshotName("l1", "docs", Created, 42, TakenAt);

        Assert.True(ArchiveLayout.TryParseSnapshotName(name, out var lineage, out var bucket, out var created, out var seq, out var takenAt));
        Assert.Equal(("l1", "docs", Created, 42L, TakenAt), (lineage, bucket, created, seq, takenAt));
        Assert.False(ArchiveLayout.TryParseSnapshotName(ArchiveLayout.SegmentName("l1", "docs", Created, 1, 2), out _, out _, out _, out _, out _));
        Assert.False(ArchiveLayout.TryParseSnapshotName("l1/snapshot/docs/x/1-2.jsonl.gz", out _, out _, out _, out _, out _));
        Assert.False(ArchiveLayout.TryParseSegmentName(name, out _, out _, out _, out _, out _));
    }
}
