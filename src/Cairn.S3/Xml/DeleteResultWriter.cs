using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the DeleteObjects answer: every <c>Deleted</c> entry, then every <c>Error</c>.</summary>
public static class DeleteResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, DeleteResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("DeleteResult"u8);
        foreach (var deleted in result.Deleted)
        {
            xml.WriteStart("Deleted"u8);
            xml.WriteElement("Key"u8, deleted.Key);
            xml.WriteOptionalElement("VersionId"u8, deleted.VersionId);
            if (deleted.DeleteMarker is { } marker)
            {
                xml.WriteElement("DeleteMarker"u8, marker);
            }
            xml.WriteOptionalElement("DeleteMarkerVersionId"u8, deleted.DeleteMarkerVersionId);
            xml.WriteEnd("Deleted"u8);
        }
        foreach (var error in result.Errors)
        {
            xml.WriteStart("Error"u8);
            xml.WriteElement("Key"u8, error.Key);
            xml.WriteOptionalElement("VersionId"u8, error.VersionId);
            xml.WriteElement("Code"u8, error.Code.ToString());
            xml.WriteElement("Message"u8, error.Message);
            xml.WriteEnd("Error"u8);
        }
        xml.WriteEnd("DeleteResult"u8);
    }
}
