namespace Cairn.S3.Xml;

/// <summary>The <c>Owner</c> element shared by listings.</summary>
internal static class OwnerXml
{
    public static void Write(S3XmlWriter xml, S3Owner owner)
    {
        xml.WriteStart("Owner"u8);
        xml.WriteElement("ID"u8, owner.Id);
        xml.WriteOptionalElement("DisplayName"u8, owner.DisplayName);
        xml.WriteEnd("Owner"u8);
    }
}
