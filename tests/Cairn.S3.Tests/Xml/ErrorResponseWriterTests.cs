using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class ErrorResponseWriterTests
{
    [Fact]
    public void An_error_with_details_resource_and_host_id_matches_the_golden_document()
    {
        // Arrange
        var exception = S3Errors.NoSuchKey("photos/a&b.jpg");
        var error = new ErrorResponse(exception.Code, exception.Message, "4442587FB7D0A2F9")
        {
            Details = exception.Details,
            Resource = "/mybucket/photos/a&b.jpg",
            HostId = "host-id==",
        };

        // Act
        var xml = Render(output => ErrorResponseWriter.Write(output, error));

        // Assert
        Assert.Equal(
            Declaration +
            "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>" +
            "<Key>photos/a&amp;b.jpg</Key><Resource>/mybucket/photos/a&amp;b.jpg</Resource>" +
            "<RequestId>4442587FB7D0A2F9</RequestId><HostId>host-id==</HostId></Error>",
            xml);
    }

    [Fact]
    public void A_bare_error_has_no_namespace_and_only_code_message_and_request_id()
    {
        // Act
        var xml = Render(output => ErrorResponseWriter.Write(output, new ErrorResponse(S3ErrorCode.InternalError, "We encountered an internal error. Please try again.", "REQ1")));

        // Assert
        Assert.Equal(
            Declaration + "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>REQ1</RequestId></Error>",
            xml);
        Assert.Equal("", Parse(xml).Name.NamespaceName);
    }

    [Fact]
    public void Details_are_written_in_order_after_the_message()
    {
        // Arrange
        var exception = S3Errors.InvalidArgument("Bad max-keys", "max-keys", "-1");

        // Act
        var xml = Render(output => ErrorResponseWriter.Write(output, new ErrorResponse(exception.Code, exception.Message, "R") { Details = exception.Details }));

        // Assert
        Assert.Equal(
            Declaration + "<Error><Code>InvalidArgument</Code><Message>Bad max-keys</Message><ArgumentName>max-keys</ArgumentName><ArgumentValue>-1</ArgumentValue><RequestId>R</RequestId></Error>",
            xml);
    }
}
