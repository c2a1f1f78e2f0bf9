using System.Text;
using System.Xml;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

/// <summary>
/// Reads request XML documents. Any document that is not well-formed, has the wrong root element or
/// lacks a required element raises <see cref="S3ErrorCode.MalformedXML"/>.
/// </summary>
/// <remarks>
/// DTDs are refused and nothing external is resolved. Reads are synchronous: pass the request body
/// already buffered and capped at <see cref="S3Limits.MaxXmlBodyBytes"/> (the reader also stops there).
/// Elements are matched by local name in the S3 namespace or in none, as clients send both; unknown
/// child elements are skipped. Character checking is off so that a key holding a C0 control
/// character, which listings write as <c>&amp;#x1;</c>, can be named in a DeleteObjects request too.
/// </remarks>
public static partial class S3XmlReader
{
    private const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Whitespace is kept: a key may be nothing but spaces.
        IgnoreWhitespace = false,
        CheckCharacters = false,
        MaxCharactersInDocument = S3Limits.MaxXmlBodyBytes,
        CloseInput = false,
    };

    /// <summary>
    /// Reads a CreateBucket body and returns its <c>LocationConstraint</c>, or null when the body is
    /// empty, has no such element or the element is empty.
    /// </summary>
    public static string? ReadCreateBucketConfiguration(Stream body)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                return null;
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, "CreateBucketConfiguration");
            string? location = null;
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    if (reader.LocalName == "LocationConstraint")
                    {
                        location = reader.ReadElementContentAsString().Trim();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            ReadToEnd(reader);
            return string.IsNullOrEmpty(location) ? null : location;
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    /// <summary>
    /// Reads a DeleteObjects body: the quiet flag and the objects in request order. No object, more
    /// than <see cref="S3Limits.MaxDeleteObjects"/>, or an object without a non-empty <c>Key</c> is
    /// MalformedXML, as AWS answers.
    /// </summary>
    public static (bool Quiet, IReadOnlyList<(string Key, string? VersionId, string? ETag)> Objects) ReadDelete(Stream body)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, "Delete");
            var quiet = false;
            var objects = new List<(string Key, string? VersionId, string? ETag)>();
            if (!reader.IsEmptyElement)
            {
                reader.Read();
                while (NextChild(reader))
                {
                    switch (reader.LocalName)
                    {
                        case "Object":
                            if (objects.Count == S3Limits.MaxDeleteObjects)
                            {
                                throw Malformed();
                            }
                            objects.Add(ReadObject(reader));
                            break;
                        case "Quiet":
                            quiet = ReadBoolean(reader);
                            break;
                        default:
                            reader.Skip();
                            break;
                    }
                }
            }
            ReadToEnd(reader);
            if (objects.Count == 0)
            {
                throw Malformed();
            }
            return (quiet, objects);
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    private static (string Key, string? VersionId, string? ETag) ReadObject(XmlReader reader)
    {
        string? key = null;
        string? versionId = null;
        string? etag = null;
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
                    case "VersionId":
                        versionId = reader.ReadElementContentAsString().Trim();
                        break;
                    case "ETag":
                        etag = reader.ReadElementContentAsString().Trim();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        // Leave the reader after </Object> (or the empty <Object/>).
        reader.Read();
        if (string.IsNullOrEmpty(key))
        {
            throw Malformed();
        }
        return (key, string.IsNullOrEmpty(versionId) ? null : versionId, string.IsNullOrEmpty(etag) ? null : etag);
    }

    private static bool ReadBoolean(XmlReader reader)
    {
        var value = reader.ReadElementContentAsString().Trim();
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        throw Malformed();
    }

    private static StreamReader OpenText(Stream body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 4096, leaveOpen: true);
    }

    /// <summary>Skips leading whitespace and reports whether anything is left.</summary>
    private static bool IsEmpty(StreamReader text)
    {
        while (text.Peek() is var c and >= 0 && char.IsWhiteSpace((char)c))
        {
            text.Read();
        }
        return text.Peek() < 0;
    }

    /// <summary>Moves to the root element and checks its name and namespace.</summary>
    private static void ReadRoot(XmlReader reader, string localName)
    {
        if (reader.MoveToContent() != XmlNodeType.Element
            || reader.LocalName != localName
            || reader.NamespaceURI is not ("" or S3Namespace))
        {
            throw Malformed();
        }
    }

    /// <summary>
    /// Advances to the next child element of the current parent and returns true, or consumes the
    /// parent's end tag and returns false. Text other than whitespace between children is malformed.
    /// </summary>
    private static bool NextChild(XmlReader reader)
    {
        while (true)
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    return true;
                case XmlNodeType.EndElement:
                    return false;
                case XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    break;
                case XmlNodeType.None:
                    throw Malformed();
                default:
                    if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA)
                    {
                        throw Malformed();
                    }
                    break;
            }
            if (!reader.Read())
            {
                throw Malformed();
            }
        }
    }

    /// <summary>Reads past the root's end so that trailing garbage is detected.</summary>
    private static void ReadToEnd(XmlReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static S3Exception Malformed() => S3Errors.Of(S3ErrorCode.MalformedXML);
}
