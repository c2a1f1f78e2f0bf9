using System.Buffers;

namespace Cairn.S3.Xml;

/// <summary>Writes the <c>Error</c> document of an S3 error answer.</summary>
/// <remarks>
/// AWS sends <c>&lt;Error&gt;</c> without the S3 namespace (API reference, "Error responses":
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), so this one root has none.
/// </remarks>
public static class ErrorResponseWriter
{
    /// <summary>Writes <paramref name="error"/> to <paramref name="output"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ErrorResponse error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var xml = new S3XmlWriter(output);
        xml.WriteDeclaration();
        xml.WriteStart("Error"u8);
        xml.WriteElement("Code"u8, error.Code.ToString());
        xml.WriteElement("Message"u8, error.Message);
        foreach (var (name, value) in error.Details)
        {
            xml.WriteNamedElement(name, value);
        }
        xml.WriteOptionalElement("Resource"u8, error.Resource);
        xml.WriteElement("RequestId"u8, error.RequestId);
        xml.WriteOptionalElement("HostId"u8, error.HostId);
        xml.WriteEnd("Error"u8);
    }
}
