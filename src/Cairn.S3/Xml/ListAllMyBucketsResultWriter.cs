using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the ListBuckets answer.</summary>
/// <remarks>Order as AWS sends it: Owner, Buckets, then ContinuationToken and Prefix when present.</remarks>
public static class ListAllMyBucketsResultWriter
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ListAllMyBucketsResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteRootStart("ListAllMyBucketsResult"u8);
        OwnerXml.Write(xml, result.Owner);
        xml.WriteStart("Buckets"u8);
        foreach (var bucket in result.Buckets)
        {
            xml.WriteStart("Bucket"u8);
            xml.WriteElement("Name"u8, bucket.Name);
            xml.WriteElement("CreationDate"u8, bucket.CreationDate);
            xml.WriteOptionalElement("BucketRegion"u8, bucket.BucketRegion);
            xml.WriteEnd("Bucket"u8);
        }
        xml.WriteEnd("Buckets"u8);
        xml.WriteOptionalElement("ContinuationToken"u8, result.ContinuationToken);
        xml.WriteOptionalElement("Prefix"u8, result.Prefix);
        xml.WriteEnd("ListAllMyBucketsResult"u8);
    }
}
