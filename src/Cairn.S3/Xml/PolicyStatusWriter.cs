using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the GetBucketPolicyStatus answer: <c>&lt;PolicyStatus&gt;&lt;IsPublic&gt;true|false&lt;/IsPublic&gt;&lt;/PolicyStatus&gt;</c>.</summary>
public static class PolicyStatusWriter
{
    public static void Write(IBufferWriter<byte> output, bool isPublic)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("PolicyStatus"u8);
        xml.WriteElement("IsPublic"u8, isPublic);
        xml.WriteEnd("PolicyStatus"u8);
    }
}
