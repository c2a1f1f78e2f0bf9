using System.Buffers;
using Cairn.Core;

namespace Cairn.S3.Xml;

/// <summary>Writes the GetBucketVersioning answer.</summary>
/// <remarks>
/// A bucket that never had versioning enabled answers an empty <c>VersioningConfiguration</c> (no
/// Status element), as the S3 API reference describes; otherwise Status is Enabled or Suspended.
/// </remarks>
public static class VersioningConfigurationWriter
{
    /// <summary>Writes the versioning state of a bucket.</summary>
    public static void Write(IBufferWriter<byte> output, BucketVersioning versioning)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        if (versioning == BucketVersioning.Unversioned)
        {
            xml.WriteRaw("<VersioningConfiguration xmlns=\""u8);
            xml.WriteRaw(S3XmlWriter.Namespace);
            xml.WriteRaw("\"/>"u8);
            return;
        }
        xml.WriteRootStart("VersioningConfiguration"u8);
        xml.WriteElement("Status"u8, versioning == BucketVersioning.Enabled ? "Enabled" : "Suspended");
        xml.WriteEnd("VersioningConfiguration"u8);
    }
}
