using System.Text;

namespace Cairn.Integration.Tests.BadInput;

/// <summary>A response as received: status, headers (names case-insensitive) and the whole body.</summary>
internal sealed record WireResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string BodyText => Encoding.UTF8.GetString(Body);

    public override string ToString() => $"{Status} {BodyText}";
}
