using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the GetBucketLocation answer.</summary>
/// <remarks>
/// us-east-1 is an empty element: the S3 API reference says "Buckets in Region us-east-1 have a
/// LocationConstraint of null".
/// </remarks>
public static class LocationConstraintWriter
{
    private const string DefaultRegion = "us-east-1";

    /// <summary>Writes the location of a bucket in <paramref name="region"/> (null or us-east-1 for the default).</summary>
    public static void Write(IBufferWriter<byte> output, string? region)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        if (string.IsNullOrEmpty(region) || region == DefaultRegion)
        {
            xml.WriteRaw("<LocationConstraint xmlns=\""u8);
            xml.WriteRaw(S3XmlWriter.Namespace);
            xml.WriteRaw("\"/>"u8);
            return;
        }
        xml.WriteRootStart("LocationConstraint"u8);
        xml.WriteText(region);
        xml.WriteEnd("LocationConstraint"u8);
    }
}
