using System.Buffers;
using Cairn.Core;

namespace Cairn.S3.Xml;

/// <summary>
/// Writes the answers of GetBucketInventoryConfiguration and ListBucketInventoryConfigurations: each
/// configuration as it was put, in the element order of S3's own answers (the examples of the API
/// reference: Id, IsEnabled, Destination, Schedule, Filter, IncludedObjectVersions, OptionalFields;
/// in a destination Format, AccountId, Bucket, Prefix). AccountId, Prefix and Filter are written only
/// when the configuration had them, OptionalFields only when it named any.
/// </summary>
public static class InventoryWriter
{
    /// <summary>Writes <c>&lt;InventoryConfiguration&gt;</c>, the answer of GetBucketInventoryConfiguration.</summary>
    public static void WriteConfiguration(IBufferWriter<byte> output, InventoryConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("InventoryConfiguration"u8);
        WriteBody(xml, configuration);
        xml.WriteEnd("InventoryConfiguration"u8);
    }

    /// <summary>
    /// Writes <c>&lt;ListInventoryConfigurationsResult&gt;</c>, the answer of ListBucketInventoryConfigurations:
    /// the configurations, then IsTruncated, the request's continuation token when it sent one and
    /// the next one when the list is truncated (the order of S3's example answer).
    /// </summary>
    public static void WriteList(IBufferWriter<byte> output, IReadOnlyList<InventoryConfiguration> configurations, bool isTruncated,
        string? continuationToken = null, string? nextContinuationToken = null)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListInventoryConfigurationsResult"u8);
        foreach (var configuration in configurations)
        {
            xml.WriteStart("InventoryConfiguration"u8);
            WriteBody(xml, configuration);
            xml.WriteEnd("InventoryConfiguration"u8);
        }
        xml.WriteElement("IsTruncated"u8, isTruncated);
        xml.WriteOptionalElement("ContinuationToken"u8, continuationToken);
        xml.WriteOptionalElement("NextContinuationToken"u8, nextContinuationToken);
        xml.WriteEnd("ListInventoryConfigurationsResult"u8);
    }

    /// <summary>The format's name in the document (<see cref="InventoryFields.FormatName"/>).</summary>
    public static string FormatName(InventoryFormat format) => InventoryFields.FormatName(format);

    private static void WriteBody(S3XmlWriter xml, InventoryConfiguration configuration)
    {
        xml.WriteElement("Id"u8, configuration.Id);
        xml.WriteElement("IsEnabled"u8, configuration.Enabled);
        xml.WriteStart("Destination"u8);
        xml.WriteStart("S3BucketDestination"u8);
        xml.WriteElement("Format"u8, FormatName(configuration.Format));
        xml.WriteOptionalElement("AccountId"u8, configuration.DestinationAccountId);
        xml.WriteElement("Bucket"u8, "arn:aws:s3:::" + configuration.DestinationBucket);
        xml.WriteOptionalElement("Prefix"u8, configuration.DestinationPrefix);
        xml.WriteEnd("S3BucketDestination"u8);
        xml.WriteEnd("Destination"u8);
        xml.WriteStart("Schedule"u8);
        xml.WriteElement("Frequency"u8, configuration.Frequency == InventoryFrequency.Weekly ? "Weekly" : "Daily");
        xml.WriteEnd("Schedule"u8);
        if (configuration.FilterPrefix is { } filterPrefix)
        {
            xml.WriteStart("Filter"u8);
            xml.WriteElement("Prefix"u8, filterPrefix);
            xml.WriteEnd("Filter"u8);
        }
        xml.WriteElement("IncludedObjectVersions"u8, configuration.AllVersions ? "All" : "Current");
        if (configuration.OptionalFields.Count > 0)
        {
            xml.WriteStart("OptionalFields"u8);
            foreach (var field in configuration.OptionalFields)
            {
                xml.WriteElement("Field"u8, InventoryFields.WireName(field));
            }
            xml.WriteEnd("OptionalFields"u8);
        }
    }
}
