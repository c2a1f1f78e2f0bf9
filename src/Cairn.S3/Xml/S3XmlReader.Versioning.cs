using System.Xml;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>
    /// Reads a PutBucketVersioning body: <c>VersioningConfiguration</c> with <c>Status</c>
    /// <c>Enabled</c> or <c>Suspended</c>. A missing or other Status is MalformedXML, as AWS answers.
    /// <c>MfaDelete</c> <c>Enabled</c> is refused (501): Cairn has no MFA devices; <c>Disabled</c> is
    /// what every bucket has.
    /// </summary>
    public static BucketVersioning ReadVersioningConfiguration(Stream body)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, "VersioningConfiguration");
            string? status = null;
            string? mfaDelete = null;
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "Status":
                            status = reader.ReadElementContentAsString().Trim();
                            break;
                        case "MfaDelete":
                            mfaDelete = reader.ReadElementContentAsString().Trim();
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }
            ReadToEnd(reader);
            if (mfaDelete is not (null or "Disabled"))
            {
                throw mfaDelete == "Enabled" ? S3Errors.NotImplemented("PutBucketVersioning MfaDelete") : Malformed();
            }
            return status switch
            {
                "Enabled" => BucketVersioning.Enabled,
                "Suspended" => BucketVersioning.Suspended,
                _ => throw Malformed(),
            };
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }
}
