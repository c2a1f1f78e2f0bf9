using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>
    /// Reads a PutObjectLockConfiguration body: <c>ObjectLockEnabled</c> must be <c>Enabled</c>; an
    /// optional <c>Rule</c> holds <c>DefaultRetention</c> with a <c>Mode</c> and exactly one of
    /// <c>Days</c> or <c>Years</c>. A structural fault is MalformedXML; a period that is not a positive
    /// integer, or longer than S3 allows, is InvalidArgument, as AWS answers.
    /// </summary>
    public static ObjectLockConfiguration ReadObjectLockConfiguration(Stream body)
    {
        var root = ReadSmallDocument(body, "ObjectLockConfiguration");
        if (Child(root, "ObjectLockEnabled")?.Value.Trim() != "Enabled")
        {
            throw Malformed();
        }
        if (Child(root, "Rule") is not { } rule)
        {
            return new ObjectLockConfiguration(DefaultRetention: null);
        }
        var retention = Child(rule, "DefaultRetention") ?? throw Malformed();
        if (!ObjectLockNames.TryParseMode(Child(retention, "Mode")?.Value.Trim(), out var mode))
        {
            throw Malformed();
        }
        var days = Child(retention, "Days")?.Value.Trim();
        var years = Child(retention, "Years")?.Value.Trim();
        if ((days is null) == (years is null))
        {
            throw Malformed();
        }
        var (text, max) = days is not null ? (days, ObjectLockNames.MaxDefaultRetentionDays) : (years!, ObjectLockNames.MaxDefaultRetentionYears);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var period) || period <= 0)
        {
            throw S3Errors.InvalidArgument("Default retention period must be a positive integer value.", days is not null ? "Days" : "Years", text);
        }
        if (period > max)
        {
            throw S3Errors.InvalidArgument("Default retention period is too large.", days is not null ? "Days" : "Years", text);
        }
        return new ObjectLockConfiguration(new DefaultRetention(mode, days is not null ? period : null, years is not null ? period : null));
    }

    /// <summary>
    /// Reads a PutObjectRetention body: <c>Mode</c> and <c>RetainUntilDate</c> together, or neither
    /// (an empty <c>Retention</c>: remove the retention, which returns null). One without the
    /// other, an unknown mode or a date that is not ISO 8601 is MalformedXML.
    /// </summary>
    public static ObjectRetention? ReadRetention(Stream body)
    {
        var root = ReadSmallDocument(body, "Retention");
        var modeText = Child(root, "Mode")?.Value.Trim();
        var dateText = Child(root, "RetainUntilDate")?.Value.Trim();
        if (modeText is null && dateText is null)
        {
            return null;
        }
        if (!ObjectLockNames.TryParseMode(modeText, out var mode) || !TryParseIsoDate(dateText, out var until))
        {
            throw Malformed();
        }
        return new ObjectRetention(mode, until);
    }

    /// <summary>Reads a PutObjectLegalHold body: <c>Status</c> <c>ON</c> or <c>OFF</c> (true for ON); anything else is MalformedXML.</summary>
    public static bool ReadLegalHold(Stream body) =>
        Child(ReadSmallDocument(body, "LegalHold"), "Status")?.Value.Trim() switch
        {
            "ON" => true,
            "OFF" => false,
            _ => throw Malformed(),
        };

    /// <summary>Parses an ISO 8601 date and time, as S3 takes a retain-until date (in XML or a header).</summary>
    public static bool TryParseIsoDate(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
        && text!.Contains('-', StringComparison.Ordinal);

    /// <summary>
    /// Loads a small configuration document whose root is <paramref name="rootName"/> (in the S3
    /// namespace or none) as a tree; empty or not well-formed is MalformedXML.
    /// </summary>
    private static XElement ReadSmallDocument(Stream body, string rootName)
    {
        try
        {
            using var text = OpenText(body);
            if (IsEmpty(text))
            {
                throw Malformed();
            }
            using var reader = XmlReader.Create(text, Settings);
            ReadRoot(reader, rootName);
            var root = XElement.Load(reader.ReadSubtree());
            ReadToEnd(reader);
            return root;
        }
        catch (XmlException)
        {
            throw Malformed();
        }
    }

    /// <summary>The first child element of <paramref name="parent"/> with this local name (in the S3 namespace or none).</summary>
    private static XElement? Child(XElement parent, string localName) =>
        parent.Elements().FirstOrDefault(element => element.Name.LocalName == localName
            && element.Name.NamespaceName is "" or S3Namespace);
}
