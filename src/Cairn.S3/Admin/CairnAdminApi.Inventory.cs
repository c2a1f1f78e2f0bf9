using Cairn.Core;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

public sealed partial class CairnAdminApi
{
    /// <summary>Reports a call answers when the caller does not say.</summary>
    private const int DefaultReports = 10;

    /// <summary>
    /// The bucket's inventory reports, newest first: <c>{"bucket", "reports": [{"id", "createdAt", "seq",
    /// "destination", "manifest", "format", "rows", "groups": [{"file", "group", "firstKey", "lastKey", "rows"}]}]}</c>;
    /// with <c>from</c> and/or <c>to</c>, only the row groups that may hold keys in that range.
    /// </summary>
    private async Task InventoryReportsAsync(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        var max = ParseMax(query, DefaultReports, 1000, "reports");
        var reports = await inventory.ListReportsAsync(bucket, OneOrNone(query, "id"), max, OneOrNone(query, "from"), OneOrNone(query, "to"),
            context.RequestAborted).ConfigureAwait(false)
            ?? throw new AdminException(StatusCodes.Status404NotFound, "NoSuchBucket", $"The bucket '{bucket}' does not exist.");
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("bucket", bucket);
            json.WriteStartArray("reports");
            foreach (var report in reports)
            {
                json.WriteStartObject();
                json.WriteString("id", report.ConfigurationId);
                json.WriteString("createdAt", S3Date.ToXmlDate(report.CreatedAt));
                json.WriteNumber("seq", report.JournalSeq);
                json.WriteString("destination", report.DestinationBucket);
                json.WriteString("manifest", report.ManifestKey);
                json.WriteString("format", report.Format);
                json.WriteNumber("rows", report.ObjectCount);
                json.WriteStartArray("groups");
                foreach (var group in report.Groups)
                {
                    json.WriteStartObject();
                    json.WriteString("file", group.FileKey);
                    json.WriteNumber("group", group.RowGroup);
                    json.WriteString("firstKey", group.FirstKey);
                    json.WriteString("lastKey", group.LastKey);
                    json.WriteNumber("rows", group.Rows);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }
}
