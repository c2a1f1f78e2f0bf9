using Cairn.S3.Errors;
using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class DeleteResultWriterTests
{
    [Fact]
    public void A_delete_result_matches_the_API_reference_example()
    {
        // Arrange
        var result = new DeleteResult(
            [new DeletedObject("sample1.txt")],
            [new DeleteError("sample2.txt", S3ErrorCode.AccessDenied, "Access Denied")]);

        // Act
        var xml = Render(output => DeleteResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration +
            "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
            "<Deleted><Key>sample1.txt</Key></Deleted>" +
            "<Error><Key>sample2.txt</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>" +
            "</DeleteResult>",
            xml);
    }

    [Fact]
    public void Version_and_delete_marker_fields_are_written_when_present()
    {
        // Arrange
        var result = new DeleteResult(
            [new DeletedObject("a") { VersionId = "v1", DeleteMarker = true, DeleteMarkerVersionId = "dm1" }],
            [new DeleteError("b&c", S3ErrorCode.InternalError, "We encountered an internal error. Please try again.") { VersionId = "v2" }]);

        // Act
        var xml = Render(output => DeleteResultWriter.Write(output, result));

        // Assert
        Assert.Equal(
            Declaration +
            "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
            "<Deleted><Key>a</Key><VersionId>v1</VersionId><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>dm1</DeleteMarkerVersionId></Deleted>" +
            "<Error><Key>b&amp;c</Key><VersionId>v2</VersionId><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>" +
            "</DeleteResult>",
            xml);
    }

    [Fact]
    public void A_quiet_result_with_nothing_to_report_is_an_empty_root()
    {
        var xml = Render(output => DeleteResultWriter.Write(output, new DeleteResult([], [])));

        Assert.Equal(Declaration + "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>", xml);
    }
}
