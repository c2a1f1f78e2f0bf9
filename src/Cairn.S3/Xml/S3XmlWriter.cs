using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Unicode;

namespace Cairn.S3.Xml;

/// <summary>
/// Writes S3 response XML straight into an <see cref="IBufferWriter{T}"/> as UTF-8, with element
/// names as <c>u8</c> literals and no intermediate strings (Kestrel <c>BufferWriter</c>, STYLE B5.4).
/// No indentation, as AWS sends it.
/// </summary>
/// <remarks>
/// Text is escaped for XML: <c>&amp; &lt; &gt; " '</c> as entities, and every C0 control character and
/// U+FFFE/U+FFFF as a lower-case numeric reference such as <c>&amp;#x1b;</c>. XML 1.0 cannot carry
/// most C0 characters even as references, but S3 keys may hold them and AWS writes them this way
/// (https://github.com/aws/aws-sdk-php/issues/169 shows <c>&amp;#x1b;</c> in a real listing); clients
/// that cannot parse it ask for <c>encoding-type=url</c>. Tab, LF and CR are written as references too,
/// so a parser's line-end normalization cannot change a key.
/// </remarks>
public readonly ref struct S3XmlWriter
{
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "&<>\"'\uFFFE\uFFFF");

    private readonly IBufferWriter<byte> _output;

    /// <summary>A writer appending to <paramref name="output"/>.</summary>
    public S3XmlWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary>The S3 XML namespace, <c>http://s3.amazonaws.com/doc/2006-03-01/</c>.</summary>
    public static ReadOnlySpan<byte> Namespace => "http://s3.amazonaws.com/doc/2006-03-01/"u8;

    /// <summary>Writes <c>&lt;?xml version="1.0" encoding="UTF-8"?&gt;</c> and a newline, as AWS does.</summary>
    public void WriteDeclaration() => WriteRaw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"u8);

    /// <summary>Writes a root start tag carrying the S3 namespace.</summary>
    public void WriteRootStart(ReadOnlySpan<byte> name)
    {
        WriteRaw("<"u8);
        WriteRaw(name);
        WriteRaw(" xmlns=\""u8);
        WriteRaw(Namespace);
        WriteRaw("\">"u8);
    }

    /// <summary>Writes <c>&lt;name&gt;</c>.</summary>
    public void WriteStart(ReadOnlySpan<byte> name)
    {
        WriteRaw("<"u8);
        WriteRaw(name);
        WriteRaw(">"u8);
    }

    /// <summary>Writes <c>&lt;/name&gt;</c>.</summary>
    public void WriteEnd(ReadOnlySpan<byte> name)
    {
        WriteRaw("</"u8);
        WriteRaw(name);
        WriteRaw(">"u8);
    }

    /// <summary>Writes an element with escaped text; an empty string gives <c>&lt;name&gt;&lt;/name&gt;</c>.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, string value)
    {
        WriteStart(name);
        WriteText(value);
        WriteEnd(name);
    }

    /// <summary>Writes the element only when <paramref name="value"/> is not null.</summary>
    public void WriteOptionalElement(ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            WriteElement(name, value);
        }
    }

    /// <summary>Writes an element holding an integer.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, long value)
    {
        WriteStart(name);
        var span = _output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out var written);
        _output.Advance(written);
        WriteEnd(name);
    }

    /// <summary>Writes an element holding <c>true</c> or <c>false</c>.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, bool value)
    {
        WriteStart(name);
        WriteRaw(value ? "true"u8 : "false"u8);
        WriteEnd(name);
    }

    /// <summary>Writes an element holding a UTC timestamp with milliseconds, as <c>S3Date.ToXmlDate</c>.</summary>
    public void WriteElement(ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        WriteStart(name);
        var span = _output.GetSpan(32);
        value.UtcDateTime.TryFormat(span, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _output.Advance(written);
        WriteEnd(name);
    }

    /// <summary>Writes an ETag wrapped in escaped double quotes: <c>&lt;ETag&gt;&amp;quot;abc&amp;quot;&lt;/ETag&gt;</c>.</summary>
    public void WriteQuotedElement(ReadOnlySpan<byte> name, string unquotedValue)
    {
        WriteStart(name);
        WriteRaw("&quot;"u8);
        WriteText(unquotedValue);
        WriteRaw("&quot;"u8);
        WriteEnd(name);
    }

    /// <summary>
    /// Writes an element whose name is only known at run time (error details such as <c>BucketName</c>).
    /// The name must be an ASCII letter followed by letters, digits and hyphens (S3 sends
    /// <c>X-Amz-Expires</c> in an expired-URL error); it comes from code, never from a request.
    /// </summary>
    public void WriteNamedElement(string name, string value)
    {
        if (name.Length is 0 or > 128 || !char.IsAsciiLetter(name[0]) || name.AsSpan().ContainsAnyExcept(ElementNameChars))
        {
            throw new ArgumentException($"'{name}' is not an element name this writer accepts.", nameof(name));
        }
        Span<byte> nameBytes = stackalloc byte[name.Length];
        for (var i = 0; i < name.Length; i++)
        {
            nameBytes[i] = (byte)name[i];
        }
        WriteElement(nameBytes, value);
    }

    /// <summary>Writes escaped text.</summary>
    public void WriteText(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var special = text.IndexOfAny(NeedsEscape);
            var run = special < 0 ? text : text[..special];
            WriteUtf8(run);
            if (special < 0)
            {
                return;
            }
            WriteEscaped(text[special]);
            text = text[(special + 1)..];
        }
    }

    /// <summary>Writes bytes as they are; for literals only.</summary>
    public void WriteRaw(ReadOnlySpan<byte> utf8)
    {
        var span = _output.GetSpan(utf8.Length);
        utf8.CopyTo(span);
        _output.Advance(utf8.Length);
    }

    private static readonly SearchValues<char> ElementNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-");

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            // Ask for room for a bounded slice; FromUtf16 stops short of the end rather than split a pair.
            var span = _output.GetSpan(Math.Min(text.Length, 4096) * 3);
            // Lone surrogates become U+FFFD: the output must stay valid UTF-8.
            Utf8.FromUtf16(text, span, out var read, out var written, replaceInvalidSequences: true, isFinalBlock: true);
            _output.Advance(written);
            text = text[read..];
        }
    }

    private void WriteEscaped(char c)
    {
        switch (c)
        {
            case '&':
                WriteRaw("&amp;"u8);
                return;
            case '<':
                WriteRaw("&lt;"u8);
                return;
            case '>':
                WriteRaw("&gt;"u8);
                return;
            case '"':
                WriteRaw("&quot;"u8);
                return;
            case '\'':
                WriteRaw("&apos;"u8);
                return;
        }
        var span = _output.GetSpan(10);
        "&#x"u8.CopyTo(span);
        ((int)c).TryFormat(span[3..], out var digits, "x", CultureInfo.InvariantCulture);
        span[3 + digits] = (byte)';';
        _output.Advance(4 + digits);
    }
}
