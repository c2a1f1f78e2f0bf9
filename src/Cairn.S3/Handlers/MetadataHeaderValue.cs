using System.Buffers;
using System.Text;

namespace Cairn.S3.Handlers;

/// <summary>
/// A user metadata value as GET and HEAD send it: as stored when it is printable US-ASCII, otherwise
/// RFC 2047 encoded (<c>=?UTF-8?B?...?=</c>), as S3 documents.
/// </summary>
/// <remarks>
/// S3 user guide, "Working with object metadata": values with non-US-ASCII characters "are character
/// decoded as per RFC 2047 before storing and encoded as per RFC 2047 to make them mail-safe before
/// returning. If the string contains only US-ASCII characters, it is presented as is." HTTP clients
/// read response header bytes as Latin-1 (Python's http.client, .NET's HttpClient), so raw UTF-8 would
/// reach them double-encoded; the encoded word is ASCII and decodes to the exact characters stored.
/// Cairn stores a value as the client's header carried it (see <see cref="RequestHeaderEncoding"/>)
/// and encodes only on the way out. A value sent already encoded is ASCII, so it is stored and
/// returned as sent, and the client decodes it as it encoded it (S3, decoding it first, would send it
/// back encoded again: the same text once decoded). Control characters (which a
/// presigned URL's query can carry) are encoded too, so they can never break the response headers;
/// a tab stays, as HTTP allows it in a field value.
/// </remarks>
public static class MetadataHeaderValue
{
    private static readonly SearchValues<char> Printable = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>The header value for <paramref name="value"/>: unchanged, or one RFC 2047 encoded word of its UTF-8 bytes.</summary>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.AsSpan().ContainsAnyExcept(Printable))
        {
            return value;
        }
        return "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";
    }
}
