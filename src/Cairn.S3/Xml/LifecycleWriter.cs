using System.Buffers;
using System.Globalization;
using Cairn.Core;

namespace Cairn.S3.Xml;

/// <summary>Writes the answer of GetBucketLifecycleConfiguration: the rules as they were put (each filter in the form it was given).</summary>
public static class LifecycleWriter
{
    public static void WriteConfiguration(IBufferWriter<byte> output, LifecycleConfiguration configuration)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("LifecycleConfiguration"u8);
        foreach (var rule in configuration.Rules)
        {
            xml.WriteStart("Rule"u8);
            xml.WriteElement("ID"u8, rule.Id);
            WriteFilter(xml, rule.Filter);
            xml.WriteElement("Status"u8, rule.Enabled ? "Enabled" : "Disabled");
            WriteTransitions(xml, rule);
            if (rule.Expiration is { } expiration)
            {
                xml.WriteStart("Expiration"u8);
                if (expiration.Days is { } days)
                {
                    xml.WriteElement("Days"u8, days);
                }
                else if (expiration.Date is { } date)
                {
                    xml.WriteElement("Date"u8, FormatDate(date));
                }
                else
                {
                    xml.WriteElement("ExpiredObjectDeleteMarker"u8, expiration.ExpiredObjectDeleteMarker ? "true" : "false");
                }
                xml.WriteEnd("Expiration"u8);
            }
            if (rule.NoncurrentDays is { } noncurrentDays)
            {
                xml.WriteStart("NoncurrentVersionExpiration"u8);
                xml.WriteElement("NoncurrentDays"u8, noncurrentDays);
                if (rule.NewerNoncurrentVersions is { } newer)
                {
                    xml.WriteElement("NewerNoncurrentVersions"u8, newer);
                }
                xml.WriteEnd("NoncurrentVersionExpiration"u8);
            }
            if (rule.AbortIncompleteUploadDays is { } abortDays)
            {
                xml.WriteStart("AbortIncompleteMultipartUpload"u8);
                xml.WriteElement("DaysAfterInitiation"u8, abortDays);
                xml.WriteEnd("AbortIncompleteMultipartUpload"u8);
            }
            xml.WriteEnd("Rule"u8);
        }
        xml.WriteEnd("LifecycleConfiguration"u8);
    }

    /// <summary>
    /// The rule's transitions, in the order they were put, after <c>Status</c> and before the
    /// expirations as in S3's answers; within each, the elements in the API reference's order.
    /// </summary>
    private static void WriteTransitions(S3XmlWriter xml, LifecycleRule rule)
    {
        foreach (var transition in rule.Transitions)
        {
            xml.WriteStart("Transition"u8);
            if (transition.Date is { } date)
            {
                xml.WriteElement("Date"u8, FormatDate(date));
            }
            if (transition.Days is { } days)
            {
                xml.WriteElement("Days"u8, days);
            }
            xml.WriteElement("StorageClass"u8, transition.StorageClass);
            xml.WriteEnd("Transition"u8);
        }
        foreach (var transition in rule.NoncurrentTransitions)
        {
            xml.WriteStart("NoncurrentVersionTransition"u8);
            xml.WriteElement("NoncurrentDays"u8, transition.NoncurrentDays);
            xml.WriteElement("StorageClass"u8, transition.StorageClass);
            if (transition.NewerNoncurrentVersions is { } newer)
            {
                xml.WriteElement("NewerNoncurrentVersions"u8, newer);
            }
            xml.WriteEnd("NoncurrentVersionTransition"u8);
        }
    }

    private static string FormatDate(DateTimeOffset date) => date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteFilter(S3XmlWriter xml, LifecycleFilter filter)
    {
        if (filter.Form == LifecycleFilterForm.RulePrefix)
        {
            xml.WriteElement("Prefix"u8, filter.Prefix);
            return;
        }
        xml.WriteStart("Filter"u8);
        var and = filter.Form == LifecycleFilterForm.And;
        if (and)
        {
            xml.WriteStart("And"u8);
        }
        if (filter.Prefix.Length > 0 || (and && filter.Tags.Count == 0 && filter.SizeGreaterThan is null && filter.SizeLessThan is null))
        {
            xml.WriteElement("Prefix"u8, filter.Prefix);
        }
        foreach (var (key, value) in filter.Tags)
        {
            xml.WriteStart("Tag"u8);
            xml.WriteElement("Key"u8, key);
            xml.WriteElement("Value"u8, value);
            xml.WriteEnd("Tag"u8);
        }
        if (filter.SizeGreaterThan is { } above)
        {
            xml.WriteElement("ObjectSizeGreaterThan"u8, above);
        }
        if (filter.SizeLessThan is { } below)
        {
            xml.WriteElement("ObjectSizeLessThan"u8, below);
        }
        if (and)
        {
            xml.WriteEnd("And"u8);
        }
        xml.WriteEnd("Filter"u8);
    }
}
