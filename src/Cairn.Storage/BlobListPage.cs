namespace Cairn.Storage;

/// <summary>One page of <see cref="IBlobBackend.ListPageAsync"/>.</summary>
/// <param name="Entries">The blobs of this page, in ordinal name order.</param>
/// <param name="NextStartAfter">
/// The <c>startAfter</c> for the next page, or null when the listing has ended. Treat it as an opaque
/// cursor: it is the last name this page covered, which may be a name the backend skipped.
/// </param>
public sealed record BlobListPage(IReadOnlyList<BlobListEntry> Entries, string? NextStartAfter)
{
    /// <summary>The last page of an empty listing.</summary>
    public static BlobListPage Empty { get; } = new([], null);
}
