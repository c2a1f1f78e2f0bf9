using System.Buffers;
using System.Text;
using System.Xml.Linq;
using Cairn.Core;

namespace Cairn.S3.Tests.Xml;

internal static class XmlTestHelpers
{
    public const string Declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

    public const string Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static readonly DateTimeOffset Time = new(2009, 10, 12, 17, 50, 30, TimeSpan.Zero);

    /// <summary>Runs <paramref name="write"/> against a fresh buffer and returns the UTF-8 text.</summary>
    public static string Render(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(16);
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Parses <paramref name="xml"/> as a standard XML 1.0 document and returns its root.</summary>
    public static XElement Parse(string xml) => XDocument.Parse(xml, LoadOptions.PreserveWhitespace).Root!;

    public static Stream Utf8Stream(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    /// <summary>Asserts two inventory configurations equal, their optional fields compared as sequences (the record compares the list's reference).</summary>
    public static void AssertSameInventory(InventoryConfiguration expected, InventoryConfiguration actual)
    {
        Assert.Equal(expected with { OptionalFields = [] }, actual with { OptionalFields = [] });
        Assert.Equal(expected.OptionalFields, actual.OptionalFields);
    }
}
