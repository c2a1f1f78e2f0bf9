using System.Globalization;
using Cairn.Core;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

public sealed partial class CairnAdminApi
{
    /// <summary>Due keys a preview looks at when the caller does not say.</summary>
    private const int DefaultPreviewKeys = 1000;

    private const int MaxPreviewKeys = 100_000;

    /// <summary>
    /// The lifecycle's dry run: <c>{"bucket", "at", "complete", "actions": [{"action", "key", "versionId",
    /// "rule", "due"}], "uploads": [{"key", "uploadId", "rule", "due"}]}</c>, as of the worker's last step.
    /// </summary>
    private async Task LifecyclePreviewAsync(HttpContext context, string bucket)
    {
        var query = context.Request.Query;
        DateTimeOffset? at = null;
        if (query["at"] is { Count: > 0 } atValue)
        {
            at = atValue.Count == 1 && DateTimeOffset.TryParse(atValue[0], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
                ? parsed
                : throw new AdminException(StatusCodes.Status400BadRequest, "InvalidArgument", "at is an ISO 8601 time, e.g. 2027-01-01T00:00:00Z.");
        }
        var max = ParseMax(query, DefaultPreviewKeys, MaxPreviewKeys, "keys");
        var preview = await lifecycle.PreviewAsync(bucket, at, max, context.RequestAborted).ConfigureAwait(false)
            ?? throw new AdminException(StatusCodes.Status404NotFound, "NoSuchLifecycleConfiguration",
                $"The bucket '{bucket}' does not exist or has no lifecycle configuration.");
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("bucket", preview.Bucket);
            json.WriteString("at", S3Date.ToXmlDate(preview.At));
            json.WriteBoolean("complete", preview.Complete);
            json.WriteStartArray("actions");
            foreach (var action in preview.Actions)
            {
                json.WriteStartObject();
                json.WriteString("action", action.Kind switch
                {
                    LifecycleActionKind.ExpireCurrent => "expire-current",
                    LifecycleActionKind.ExpireNoncurrent => "expire-noncurrent",
                    LifecycleActionKind.RemoveExpiredDeleteMarker => "remove-expired-delete-marker",
                    LifecycleActionKind.TransitionCurrent => "transition-current",
                    LifecycleActionKind.TransitionNoncurrent => "transition-noncurrent",
                    _ => throw new InvalidOperationException($"Unknown lifecycle action {action.Kind}."),
                });
                json.WriteString("key", action.Key);
                json.WriteString("versionId", action.VersionId);
                json.WriteString("rule", action.RuleId);
                json.WriteString("due", S3Date.ToXmlDate(action.Due));
                if (action.StorageClass is { } tier)
                {
                    json.WriteString("storageClass", tier);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("uploads");
            foreach (var upload in preview.Uploads)
            {
                json.WriteStartObject();
                json.WriteString("key", upload.Key);
                json.WriteString("uploadId", upload.UploadId);
                json.WriteString("rule", upload.RuleId);
                json.WriteString("due", S3Date.ToXmlDate(upload.Due));
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }
}
