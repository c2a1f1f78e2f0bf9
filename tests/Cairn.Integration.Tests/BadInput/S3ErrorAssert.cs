using System.Xml.Linq;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Checks an S3 error response the way a client sees it.</summary>
internal static class S3ErrorAssert
{
    /// <summary>
    /// Asserts the HTTP status, that the body is an &lt;Error&gt; document with <paramref name="code"/>,
    /// and that its RequestId equals the x-amz-request-id header. Returns the &lt;Error&gt; element.
    /// </summary>
    public static XElement Error(WireResponse? response, int status, string code)
    {
        Assert.NotNull(response);
        Assert.True(status == response.Status, $"expected {status} {code}, got {response}");
        var requestId = response.Header("x-amz-request-id");
        Assert.False(string.IsNullOrEmpty(requestId), "x-amz-request-id header missing");
        Assert.StartsWith("application/xml", response.Header("Content-Type"), StringComparison.Ordinal);
        var error = XDocument.Parse(response.BodyText).Root!;
        Assert.Equal("Error", error.Name.LocalName);
        Assert.Equal(code, error.Element("Code")?.Value);
        Assert.Equal(requestId, error.Element("RequestId")?.Value);
        return error;
    }
}
