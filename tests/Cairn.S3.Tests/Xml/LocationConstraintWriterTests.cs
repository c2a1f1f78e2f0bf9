using Cairn.S3.Xml;
using static Cairn.S3.Tests.Xml.XmlTestHelpers;

namespace Cairn.S3.Tests.Xml;

public sealed class LocationConstraintWriterTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("us-east-1")]
    public void The_default_region_is_an_empty_element(string? region)
    {
        var xml = Render(output => LocationConstraintWriter.Write(output, region));

        Assert.Equal(Declaration + "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>", xml);
        Assert.Equal("", Parse(xml).Value);
    }

    [Fact]
    public void Another_region_is_the_element_text()
    {
        var xml = Render(output => LocationConstraintWriter.Write(output, "eu-west-1"));

        Assert.Equal(Declaration + "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">eu-west-1</LocationConstraint>", xml);
    }
}
