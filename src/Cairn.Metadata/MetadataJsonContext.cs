using System.Text.Json.Serialization;
using Cairn.Core;

namespace Cairn.Metadata;

/// <summary>
/// JSON for the text columns <c>headers</c>, <c>user_metadata</c> and <c>checksums</c>, generated at
/// build time (no reflection). Property names are the camel-cased record members: renaming a member
/// of <see cref="ContentHeaders"/> is a stored-format change and needs a migration.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ContentHeaders))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<Dictionary<string, string>>))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;
