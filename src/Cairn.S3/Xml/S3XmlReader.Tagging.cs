using System.Xml;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>
    /// Reads a PutObjectTagging / PutBucketTagging body: the <c>Tag</c> elements of <c>TagSet</c>, in
    /// order, as (Key, Value). A missing TagSet, or a Tag without a Key, is MalformedXML; a Tag
    /// without a Value has an empty value. The tags are checked by the caller (count, lengths,
    /// duplicates), which have their own error codes.
    /// </summary>
    public static IReadOnlyList<(string Key, string Value)> ReadTagging(Stream body)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, "Tagging");
            List<(string Key, string Value)>? tags = null;
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    if (reader.LocalName == "TagSet" && tags is null)
                    {
                        tags = ReadTagSet(reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            ReadToEnd(reader);
            return tags ?? throw Malformed();
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    private static List<(string Key, string Value)> ReadTagSet(XmlReader reader)
    {
        var tags = new List<(string Key, string Value)>();
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return tags;
        }
        reader.Read();
        while (NextChild(reader))
        {
            if (reader.LocalName != "Tag")
            {
                reader.Skip();
                continue;
            }
            string? key = null;
            var value = "";
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "Key":
                            key = reader.ReadElementContentAsString();
                            break;
                        case "Value":
                            value = reader.ReadElementContentAsString();
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
                reader.ReadEndElement();
            }
            else
            {
                reader.Read();
            }
            tags.Add((key ?? throw Malformed(), value));
        }
        reader.ReadEndElement();
        return tags;
    }
}
