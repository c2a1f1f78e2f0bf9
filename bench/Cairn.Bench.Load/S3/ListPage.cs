using System.Globalization;
using System.Xml;

namespace Cairn.Bench.Load.S3;

/// <summary>What a ListObjectsV2 page holds, counted rather than kept: keys, common prefixes, and where to go on.</summary>
internal sealed record ListPage(int Keys, int CommonPrefixes, int? KeyCount, bool IsTruncated, string? NextContinuationToken)
{
    /// <summary>Reads a ListBucketResult; element names per https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html.</summary>
    public static async Task<ListPage> ReadAsync(XmlReader reader)
    {
        int keys = 0, prefixes = 0;
        int? keyCount = null;
        var truncated = false;
        string? next = null;
        await reader.MoveToContentAsync();
        if (reader.LocalName != "ListBucketResult")
        {
            throw new XmlException($"expected ListBucketResult, found {reader.LocalName}");
        }
        // Only the result's direct children matter; Contents and CommonPrefixes are skipped whole.
        var depth = reader.Depth + 1;
        await reader.ReadAsync();
        while (!reader.EOF && reader.Depth >= depth)
        {
            if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth)
            {
                await reader.ReadAsync();
                continue;
            }
            switch (reader.LocalName)
            {
                case "Contents":
                    keys++;
                    await reader.SkipAsync();
                    break;
                case "CommonPrefixes":
                    prefixes++;
                    await reader.SkipAsync();
                    break;
                case "IsTruncated":
                    truncated = await reader.ReadElementContentAsStringAsync() == "true";
                    break;
                case "NextContinuationToken":
                    next = await reader.ReadElementContentAsStringAsync();
                    break;
                case "KeyCount":
                    keyCount = int.Parse(await reader.ReadElementContentAsStringAsync(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                default:
                    await reader.SkipAsync();
                    break;
            }
        }
        return new ListPage(keys, prefixes, keyCount, truncated, next);
    }
}
