using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes <c>Tagging</c>, the answer of GetObjectTagging and GetBucketTagging.</summary>
public static class TaggingWriter
{
    /// <summary>Writes the tag set (sorted by key, so an answer does not depend on storage order).</summary>
    public static void Write(IBufferWriter<byte> output, IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("Tagging"u8);
        xml.WriteStart("TagSet"u8);
        foreach (var (key, value) in tags.OrderBy(static tag => tag.Key, StringComparer.Ordinal))
        {
            xml.WriteStart("Tag"u8);
            xml.WriteElement("Key"u8, key);
            xml.WriteElement("Value"u8, value);
            xml.WriteEnd("Tag"u8);
        }
        xml.WriteEnd("TagSet"u8);
        xml.WriteEnd("Tagging"u8);
    }
}
