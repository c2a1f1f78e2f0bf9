using System.Globalization;
using System.Xml;
using Cairn.Core.Access;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

// Access settings documents (issue 14): PublicAccessBlockConfiguration, OwnershipControls,
// AccessControlPolicy and CORSConfiguration.
public static partial class S3XmlReader
{
    /// <summary>A PutPublicAccessBlock body; an absent flag is false, anything but the four flags MalformedXML.</summary>
    public static PublicAccessBlock ReadPublicAccessBlock(Stream body)
    {
        var flags = new bool[4];
        ReadDocument(body, "PublicAccessBlockConfiguration", reader =>
        {
            var index = Array.IndexOf(["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"], reader.LocalName);
            flags[index >= 0 ? index : throw Malformed()] = ReadBoolean(reader);
        });
        return new PublicAccessBlock(flags[0], flags[1], flags[2], flags[3]);
    }

    /// <summary>
    /// A PutBucketEncryption body: its one rule's default algorithm (<c>AES256</c>, <c>aws:kms</c> or
    /// <c>aws:kms:dsse</c>; anything else MalformedXML), the KMS key it names, and BucketKeyEnabled.
    /// </summary>
    public static (string Algorithm, string? KmsKeyId, bool BucketKeyEnabled) ReadServerSideEncryption(Stream body)
    {
        string? algorithm = null;
        string? kmsKey = null;
        var bucketKey = false;
        var rules = 0;
        ReadDocument(body, "ServerSideEncryptionConfiguration", rule =>
        {
            if (rule.LocalName != "Rule" || ++rules > 1)
            {
                throw Malformed();
            }
            ReadChildren(rule, part =>
            {
                switch (part.LocalName)
                {
                    case "ApplyServerSideEncryptionByDefault":
                        ReadChildren(part, setting =>
                        {
                            switch (setting.LocalName)
                            {
                                case "SSEAlgorithm" when algorithm is null:
                                    algorithm = setting.ReadElementContentAsString().Trim();
                                    break;
                                case "KMSMasterKeyID" when kmsKey is null:
                                    kmsKey = setting.ReadElementContentAsString().Trim();
                                    break;
                                default:
                                    throw Malformed();
                            }
                        });
                        break;
                    case "BucketKeyEnabled":
                        bucketKey = ReadBoolean(part);
                        break;
                    default:
                        throw Malformed();
                }
            });
        });
        return algorithm is "AES256" or "aws:kms" or "aws:kms:dsse" ? (algorithm, kmsKey, bucketKey) : throw Malformed();
    }

    /// <summary>A PutBucketOwnershipControls body: its one rule's ObjectOwnership (one of S3's three; else MalformedXML).</summary>
    public static string ReadObjectOwnership(Stream body)
    {
        string? ownership = null;
        ReadDocument(body, "OwnershipControls", rules =>
        {
            if (rules.LocalName != "Rule")
            {
                throw Malformed();
            }
            ReadChildren(rules, rule => ownership = rule.LocalName == "ObjectOwnership" && ownership is null
                ? rule.ReadElementContentAsString().Trim()
                : throw Malformed());
        });
        return ownership is "BucketOwnerEnforced" or "BucketOwnerPreferred" or "ObjectWriter" ? ownership : throw Malformed();
    }

    /// <summary>The grants of an AccessControlPolicy body: grantee type (xsi:type), its ID, URI or email, and the permission; MalformedACLError when it is not one.</summary>
    public static IReadOnlyList<(string Type, string? Id, string Permission)> ReadGrants(Stream body)
    {
        var grants = new List<(string, string?, string)>();
        try
        {
            ReadDocument(body, "AccessControlPolicy", part =>
            {
                if (part.LocalName != "AccessControlList")
                {
                    part.Skip(); // Owner
                    return;
                }
                ReadChildren(part, grant =>
                {
                    string type = "", permission = "";
                    string? id = null;
                    ReadChildren(grant, field =>
                    {
                        if (field.LocalName == "Grantee")
                        {
                            type = field.GetAttribute("type", "http://www.w3.org/2001/XMLSchema-instance") ?? "";
                            ReadChildren(field, value =>
                            {
                                var content = value.ReadElementContentAsString().Trim();
                                id = value.LocalName is "ID" or "URI" or "EmailAddress" ? content : id;
                            });
                        }
                        else
                        {
                            permission = field.LocalName == "Permission" ? field.ReadElementContentAsString().Trim() : throw Malformed();
                        }
                    });
                    grants.Add((type, id, permission));
                });
            });
        }
        catch (S3Exception error) when (error.Code == S3ErrorCode.MalformedXML)
        {
            throw S3Errors.Of(S3ErrorCode.MalformedACLError);
        }
        return grants;
    }

    /// <summary>A PutBucketCors body: <c>CORSConfiguration</c> of <c>CORSRule</c>s (checked by the caller with <see cref="CorsConfiguration.Problem"/>).</summary>
    public static CorsConfiguration ReadCorsConfiguration(Stream body)
    {
        var rules = new List<CorsRule>();
        ReadDocument(body, "CORSConfiguration", ruleElement =>
        {
            if (ruleElement.LocalName != "CORSRule")
            {
                throw Malformed();
            }
            string? id = null;
            int? maxAge = null;
            List<string> origins = [], methods = [], allowed = [], exposed = [];
            ReadChildren(ruleElement, field =>
            {
                var name = field.LocalName;
                var value = field.ReadElementContentAsString().Trim();
                switch (name)
                {
                    case "ID":
                        id = value;
                        break;
                    case "AllowedOrigin":
                        origins.Add(value);
                        break;
                    case "AllowedMethod":
                        methods.Add(value);
                        break;
                    case "AllowedHeader":
                        allowed.Add(value);
                        break;
                    case "ExposeHeader":
                        exposed.Add(value);
                        break;
                    case "MaxAgeSeconds":
                        maxAge = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) ? seconds : throw Malformed();
                        break;
                    default:
                        throw Malformed();
                }
            });
            rules.Add(new CorsRule(id, origins, methods, allowed, exposed, maxAge));
        });
        return new CorsConfiguration(rules);
    }

    /// <summary>Reads a document whose root is <paramref name="root"/>, handing each child element of the root to <paramref name="child"/>.</summary>
    private static void ReadDocument(Stream body, string root, Action<XmlReader> child)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, root);
            ReadChildren(reader, child);
            ReadToEnd(reader);
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    /// <summary>
    /// Hands each child element of the element the reader is on to <paramref name="child"/>, which must
    /// consume it (read its content, or skip it), and leaves the reader after the element's end.
    /// </summary>
    private static void ReadChildren(XmlReader reader, Action<XmlReader> child)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }
        reader.Read();
        while (NextChild(reader))
        {
            child(reader);
        }
        reader.Read();
    }
}
