using System.Buffers;
using Cairn.Core;

namespace Cairn.S3.Xml;

/// <summary>Writes the answers of GetObjectLockConfiguration, GetObjectRetention and GetObjectLegalHold.</summary>
public static class ObjectLockWriter
{
    /// <summary>A bucket's lock configuration: <c>ObjectLockEnabled</c>, and the default retention as a <c>Rule</c> when it has one.</summary>
    public static void WriteConfiguration(IBufferWriter<byte> output, ObjectLockConfiguration configuration)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ObjectLockConfiguration"u8);
        xml.WriteElement("ObjectLockEnabled"u8, "Enabled");
        if (configuration.DefaultRetention is { } retention)
        {
            xml.WriteStart("Rule"u8);
            xml.WriteStart("DefaultRetention"u8);
            xml.WriteElement("Mode"u8, ObjectLockNames.WireName(retention.Mode));
            if (retention.Days is { } days)
            {
                xml.WriteElement("Days"u8, days);
            }
            if (retention.Years is { } years)
            {
                xml.WriteElement("Years"u8, years);
            }
            xml.WriteEnd("DefaultRetention"u8);
            xml.WriteEnd("Rule"u8);
        }
        xml.WriteEnd("ObjectLockConfiguration"u8);
    }

    /// <summary>A version's retention.</summary>
    public static void WriteRetention(IBufferWriter<byte> output, ObjectRetention retention)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("Retention"u8);
        xml.WriteElement("Mode"u8, ObjectLockNames.WireName(retention.Mode));
        xml.WriteElement("RetainUntilDate"u8, retention.RetainUntil);
        xml.WriteEnd("Retention"u8);
    }

    /// <summary>A version's legal hold.</summary>
    public static void WriteLegalHold(IBufferWriter<byte> output, bool on)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("LegalHold"u8);
        xml.WriteElement("Status"u8, on ? "ON" : "OFF");
        xml.WriteEnd("LegalHold"u8);
    }
}
