using System.Xml.Linq;
using Cairn.Core;
using Cairn.S3.Errors;

namespace Cairn.S3.Xml;

public static partial class S3XmlReader
{
    /// <summary>Longest inventory configuration id S3 accepts.</summary>
    public const int MaxInventoryIdLength = 64;

    /// <summary>The destination bucket's ARN prefix; the name follows it.</summary>
    private const string BucketArnPrefix = "arn:aws:s3:::";

    private static readonly HashSet<string> InventoryElements =
        ["Id", "IsEnabled", "Destination", "Filter", "IncludedObjectVersions", "OptionalFields", "Schedule"];

    private static readonly HashSet<string> BucketDestinationElements = ["AccountId", "Bucket", "Encryption", "Format", "Prefix"];

    /// <summary>
    /// Reads a PutBucketInventoryConfiguration body, whose <c>Id</c> must be <paramref name="idFromQuery"/>
    /// (the request's <c>id</c> parameter).
    /// </summary>
    /// <remarks>
    /// What S3 checks against its published schema answers MalformedXML: a missing, repeated or unknown
    /// element; a value outside its enumeration (IsEnabled other than true, false, 1 or 0; a Format
    /// other than CSV, ORC or Parquet; IncludedObjectVersions other than All or Current; Frequency
    /// other than Daily or Weekly; an OptionalFields/Field S3 does not name, case-sensitive); and an Id
    /// that is empty, over <see cref="MaxInventoryIdLength"/> characters or holds anything but ASCII
    /// letters, digits, '-', '_' and '.'. S3 answers an unknown field and such an Id with MalformedXML,
    /// not InvalidArgument, as reported in aws-sdk-ruby#1577 (the field <c>Etag</c>), aws-cdk#27793
    /// (a 65-character id) and cfn-lint#1550 (an id with spaces).
    /// What is well-formed but wrong is InvalidArgument, the error S3 documents for this API: an Id
    /// that is not the <c>id</c> parameter, a Bucket that is not <c>arn:aws:s3:::</c> and a valid
    /// bucket name, and a field listed twice.
    /// What S3 would accept but this server cannot do is NotImplemented (501): an Encryption element
    /// (SSE-S3 or SSE-KMS on the reports), the ORC format, and the LifecycleExpirationDate field.
    /// </remarks>
    public static InventoryConfiguration ReadInventoryConfiguration(Stream body, string idFromQuery)
    {
        ArgumentNullException.ThrowIfNull(idFromQuery);
        var root = ReadSmallDocument(body, "InventoryConfiguration");
        RequireSchemaElements(root, InventoryElements);

        var id = RequiredText(root, "Id");
        if (id.Length is 0 or > MaxInventoryIdLength || !id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw Malformed();
        }
        var enabled = RequiredText(root, "IsEnabled").Trim() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw Malformed(),
        };
        var destination = Required(root, "Destination");
        RequireSchemaElements(destination, ["S3BucketDestination"]);
        var bucketDestination = Required(destination, "S3BucketDestination");
        RequireSchemaElements(bucketDestination, BucketDestinationElements);
        var bucketArn = RequiredText(bucketDestination, "Bucket");
        var format = RequiredText(bucketDestination, "Format").Trim() switch
        {
            "CSV" => InventoryFormat.Csv,
            "Parquet" => InventoryFormat.Parquet,
            "ORC" => InventoryFormat.Orc,
            _ => throw Malformed(),
        };
        var encryption = Child(bucketDestination, "Encryption") is { } encryptionElement ? ReadInventoryEncryption(encryptionElement) : null;
        string? filterPrefix = null;
        if (Child(root, "Filter") is { } filter)
        {
            RequireSchemaElements(filter, ["Prefix"]);
            filterPrefix = RequiredText(filter, "Prefix");
        }
        var allVersions = RequiredText(root, "IncludedObjectVersions").Trim() switch
        {
            "All" => true,
            "Current" => false,
            _ => throw Malformed(),
        };
        var schedule = Required(root, "Schedule");
        RequireSchemaElements(schedule, ["Frequency"]);
        var frequency = RequiredText(schedule, "Frequency").Trim() switch
        {
            "Daily" => InventoryFrequency.Daily,
            "Weekly" => InventoryFrequency.Weekly,
            _ => throw Malformed(),
        };
        var (fields, unsupportedField) = Child(root, "OptionalFields") is { } optionalFields ? ReadOptionalFields(optionalFields) : ([], null);

        // Well-formed and valid against the schema; now what S3 refuses as an argument.
        if (!string.Equals(id, idFromQuery, StringComparison.Ordinal))
        {
            throw S3Errors.InvalidArgument("The Id in the InventoryConfiguration must match the id query parameter.", "id", idFromQuery);
        }
        var destinationBucket = bucketArn.StartsWith(BucketArnPrefix, StringComparison.Ordinal) ? bucketArn[BucketArnPrefix.Length..] : null;
        if (!BucketName.IsValid(destinationBucket))
        {
            throw S3Errors.InvalidArgument("Invalid bucket ARN: the destination Bucket must be arn:aws:s3::: followed by a bucket name.", "Bucket", bucketArn);
        }

        // Last, what S3 would accept but this server does not do.
        if (encryption is not null)
        {
            throw S3Errors.Of(S3ErrorCode.NotImplemented,
                $"Encrypting inventory reports ({encryption}) is not implemented: remove the Encryption element from the S3BucketDestination.");
        }
        if (format == InventoryFormat.Orc)
        {
            throw S3Errors.Of(S3ErrorCode.NotImplemented, "The ORC inventory format is not supported: use CSV or Parquet.");
        }
        if (unsupportedField is not null)
        {
            throw S3Errors.Of(S3ErrorCode.NotImplemented, $"The inventory optional field {unsupportedField} is not supported.");
        }
        return new InventoryConfiguration
        {
            Id = id,
            Enabled = enabled,
            DestinationBucket = destinationBucket!,
            DestinationAccountId = OptionalText(bucketDestination, "AccountId"),
            DestinationPrefix = OptionalText(bucketDestination, "Prefix"),
            Format = format,
            FilterPrefix = filterPrefix,
            AllVersions = allVersions,
            OptionalFields = fields,
            Frequency = frequency,
        };
    }

    /// <summary>
    /// The fields of <c>OptionalFields</c> in the order given, and the first one S3 documents but
    /// <see cref="InventoryField"/> does not have (refused by the caller once the rest is checked).
    /// A child other than <c>Field</c>, or a name S3 does not know, is MalformedXML; a field given
    /// twice is InvalidArgument (S3's schema cannot say a list holds no duplicates, so its check is
    /// not a schema one).
    /// </summary>
    private static (List<InventoryField> Fields, string? Unsupported) ReadOptionalFields(XElement optionalFields)
    {
        var fields = new List<InventoryField>();
        string? unsupported = null;
        foreach (var element in optionalFields.Elements())
        {
            if (!IsS3(element, "Field"))
            {
                throw Malformed();
            }
            var name = Text(element).Trim();
            // The name must be the field's own: Enum.TryParse also takes "Size, ETag" and " Size".
            if (InventoryFields.TryParse(name, out var field) && InventoryFields.WireName(field) == name)
            {
                if (fields.Contains(field))
                {
                    throw S3Errors.InvalidArgument($"Duplicate field name in OptionalFields: {name}.", "Field", name);
                }
                fields.Add(field);
            }
            else if (name == "LifecycleExpirationDate")
            {
                unsupported ??= name;
            }
            else
            {
                throw Malformed();
            }
        }
        return (fields, unsupported);
    }

    /// <summary>
    /// The kind of encryption an <c>Encryption</c> element asks for (<c>SSE-S3</c>, or <c>SSE-KMS</c>
    /// with its KeyId); not exactly one of them is MalformedXML.
    /// </summary>
    private static string ReadInventoryEncryption(XElement encryption)
    {
        var kinds = encryption.Elements().ToList();
        if (kinds.Count != 1)
        {
            throw Malformed();
        }
        var kind = kinds[0];
        if (IsS3(kind, "SSE-S3") && !kind.HasElements)
        {
            return "SSE-S3";
        }
        if (IsS3(kind, "SSE-KMS"))
        {
            RequireSchemaElements(kind, ["KeyId"]);
            _ = RequiredText(kind, "KeyId");
            return "SSE-KMS";
        }
        throw Malformed();
    }

    /// <summary>MalformedXML unless every child of <paramref name="parent"/> is one of <paramref name="allowed"/> (S3 namespace or none), each at most once.</summary>
    private static void RequireSchemaElements(XElement parent, HashSet<string> allowed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in parent.Elements())
        {
            var name = element.Name.LocalName;
            if (!allowed.Contains(name) || !IsS3(element, name) || !seen.Add(name))
            {
                throw Malformed();
            }
        }
    }

    /// <summary>The child element <paramref name="localName"/> of <paramref name="parent"/>; MalformedXML when there is none.</summary>
    private static XElement Required(XElement parent, string localName) => Child(parent, localName) ?? throw Malformed();

    /// <summary>The text of the required simple element <paramref name="localName"/>.</summary>
    private static string RequiredText(XElement parent, string localName) => Text(Required(parent, localName));

    /// <summary>The text of the simple element <paramref name="localName"/>, or null when there is none.</summary>
    private static string? OptionalText(XElement parent, string localName) => Child(parent, localName) is { } element ? Text(element) : null;

    /// <summary>The text of a simple element; one holding elements is MalformedXML.</summary>
    private static string Text(XElement element) => element.HasElements ? throw Malformed() : element.Value;
}
