using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes a browser upload's answer when the form asks for status 201: where the object is, its bucket, key and ETag.</summary>
public static class PostResponseWriter
{
    public static void Write(IBufferWriter<byte> output, string location, string bucket, string key, string etag)
    {
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        // S3 writes this one document without its namespace.
        xml.WriteStart("PostResponse"u8);
        xml.WriteElement("Location"u8, location);
        xml.WriteElement("Bucket"u8, bucket);
        xml.WriteElement("Key"u8, key);
        xml.WriteElement("ETag"u8, etag);
        xml.WriteEnd("PostResponse"u8);
    }
}
