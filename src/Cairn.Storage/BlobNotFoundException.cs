namespace Cairn.Storage;

/// <summary>A blob that should exist does not.</summary>
public sealed class BlobNotFoundException(string name)
    : Exception($"Blob '{name}' does not exist.")
{
    /// <summary>The missing blob's name.</summary>
    public string Name { get; } = name;
}
