namespace Cairn.S3.Xml;

/// <summary>The <c>Owner</c> element shared by listings, and <c>Initiator</c>, which has the same shape.</summary>
internal static class OwnerXml
{
    public static void Write(S3XmlWriter xml, S3Owner owner) => Write(xml, "Owner"u8, owner);

    public static void Write(S3XmlWriter xml, ReadOnlySpan<byte> elementName, S3Owner owner)
    {
        xml.WriteStart(elementName);
        xml.WriteElement("ID"u8, owner.Id);
        xml.WriteOptionalElement("DisplayName"u8, owner.DisplayName);
        xml.WriteEnd(elementName);
    }
}
