using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

// What the buckets hold (issue 14), for `cairn usage` and `cairn bucket list`:
//   GET /_cairn/usage   {"buckets": [{"name", "owner" (null: root), "created", "versioning", "objects", "bytes",
//                        "noncurrentVersions", "noncurrentBytes", "deleteMarkers"}], "objects", "bytes", "noncurrentVersions", "noncurrentBytes"}
// It counts every row of the catalog: an operator's call.
public sealed partial class CairnAdminApi
{
    private const string UsagePath = "/_cairn/usage";

    private static bool IsUsagePath(ReadOnlySpan<char> rawPath) => rawPath.SequenceEqual(UsagePath);

    private async Task UsageAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw new AdminException(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "Usage is read with GET.");
        }
        var usage = await buckets.ListUsageAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartArray("buckets");
            foreach (var bucket in usage)
            {
                json.WriteStartObject();
                json.WriteString("name", bucket.Bucket);
                if (bucket.Owner is { } owner)
                {
                    json.WriteString("owner", owner);
                }
                else
                {
                    json.WriteNull("owner");
                }
                json.WriteString("created", bucket.CreatedAt);
                json.WriteString("versioning", bucket.Versioning.ToString());
                json.WriteNumber("objects", bucket.Objects);
                json.WriteNumber("bytes", bucket.Bytes);
                json.WriteNumber("noncurrentVersions", bucket.NoncurrentVersions);
                json.WriteNumber("noncurrentBytes", bucket.NoncurrentBytes);
                json.WriteNumber("deleteMarkers", bucket.DeleteMarkers);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("objects", usage.Sum(static bucket => bucket.Objects));
            json.WriteNumber("bytes", usage.Sum(static bucket => bucket.Bytes));
            json.WriteNumber("noncurrentVersions", usage.Sum(static bucket => bucket.NoncurrentVersions));
            json.WriteNumber("noncurrentBytes", usage.Sum(static bucket => bucket.NoncurrentBytes));
        }).ConfigureAwait(false);
    }
}
