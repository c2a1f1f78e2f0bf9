namespace Cairn.Storage;

/// <summary>A listed blob: its name and length in bytes.</summary>
public readonly record struct BlobListEntry(string Name, long Length);
