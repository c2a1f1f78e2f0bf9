using Cairn.Core;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Admin;

// What the background work has before it (issue 14), for the console and operators:
//   GET /_cairn/work   {"node", "now", "workers": [{"name", "heldHere", "status"}], "leases": [{"name", "holder", "expires", "held"}],
//                       "deleteQueue": {"pending", "oldestDue" (null: none)},
//                       "packs": {"open", "sealed", "stored", "retired", "dataBytes", "deadBytes"},
//                       "lifecycle": {"keysDue", "buckets": [{"bucket", "judgedUpToSeq", "configuredAt"}]},
//                       "treesBehind": [{"bucket", "journalSeq", "committedSeq" (null: no commit yet)}] (the first 100 by name),
//                       "moreTreesBehind": true when more buckets are behind than listed}
// And a bucket tree's check against the blob store (the console's verify button):
//   GET /_cairn/buckets/{bucket}/verify   {"bucket", "seq", "commit", "root", "valid", "keys", "manifests", "chunks", "bytes", "errors": [...]}
public sealed partial class CairnAdminApi
{
    private const string WorkPath = "/_cairn/work";

    private static bool IsWorkPath(ReadOnlySpan<char> rawPath) => rawPath.SequenceEqual(WorkPath);

    private async Task WorkAsync(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            throw new AdminException(StatusCodes.Status405MethodNotAllowed, "MethodNotAllowed", "Background work is read with GET.");
        }
        var report = await work.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("node", report.Node);
            json.WriteString("now", S3Date.ToXmlDate(report.DatabaseNow));
            json.WriteStartArray("workers");
            foreach (var worker in report.Workers)
            {
                json.WriteStartObject();
                json.WriteString("name", worker.Name);
                json.WriteBoolean("heldHere", worker.HeldHere);
                json.WriteString("status", worker.Status);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("leases");
            foreach (var lease in report.Leases)
            {
                json.WriteStartObject();
                json.WriteString("name", lease.Name);
                json.WriteString("holder", lease.Holder);
                json.WriteString("expires", S3Date.ToXmlDate(lease.ExpiresAt));
                json.WriteBoolean("held", lease.Held);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("deleteQueue");
            json.WriteNumber("pending", report.DeletesPending);
            WriteDateOrNull(json, "oldestDue", report.OldestDeleteDue);
            json.WriteEndObject();
            json.WriteStartObject("packs");
            json.WriteNumber("open", report.Packs.Open);
            json.WriteNumber("sealed", report.Packs.Sealed);
            json.WriteNumber("stored", report.Packs.Stored);
            json.WriteNumber("retired", report.Packs.Retired);
            json.WriteNumber("dataBytes", report.Packs.DataBytes);
            json.WriteNumber("deadBytes", report.Packs.DeadBytes);
            json.WriteEndObject();
            json.WriteStartObject("lifecycle");
            json.WriteNumber("keysDue", report.LifecycleKeysDue);
            json.WriteStartArray("buckets");
            foreach (var bucket in report.Lifecycle)
            {
                json.WriteStartObject();
                json.WriteString("bucket", bucket.Bucket);
                json.WriteNumber("judgedUpToSeq", bucket.JudgedUpToSeq);
                json.WriteString("configuredAt", S3Date.ToXmlDate(bucket.ConfiguredAt));
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("treesBehind");
            foreach (var lag in report.TreesBehind)
            {
                json.WriteStartObject();
                json.WriteString("bucket", lag.Bucket);
                json.WriteNumber("journalSeq", lag.JournalSeq);
                if (lag.CommittedSeq is { } seq)
                {
                    json.WriteNumber("committedSeq", seq);
                }
                else
                {
                    json.WriteNull("committedSeq");
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("moreTreesBehind", report.MoreTreesBehind);
        }).ConfigureAwait(false);
    }

    private async Task VerifyAsync(HttpContext context, string bucket)
    {
        var verification = await trees.VerifyAsync(bucket, context.RequestAborted).ConfigureAwait(false);
        ThrowOnStatus(verification.Status, bucket);
        var head = verification.Head;
        await WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("bucket", head.Bucket);
            json.WriteNumber("seq", head.Seq);
            json.WriteString("commit", head.Commit.ToString());
            json.WriteString("root", head.Root.ToString());
            json.WriteBoolean("valid", verification.Valid);
            json.WriteNumber("keys", verification.Keys);
            json.WriteNumber("manifests", verification.Manifests);
            json.WriteNumber("chunks", verification.Chunks);
            json.WriteNumber("bytes", verification.Bytes);
            json.WriteStartArray("errors");
            foreach (var error in verification.Errors ?? [])
            {
                json.WriteStringValue(error);
            }
            json.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static void WriteDateOrNull(System.Text.Json.Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } date)
        {
            json.WriteString(name, S3Date.ToXmlDate(date));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
