namespace Cairn.Storage;

/// <summary>A name that <see cref="IBlobBackend.DeleteManyAsync"/> could not delete.</summary>
/// <param name="Name">The blob name.</param>
/// <param name="Reason">What the store said (for logs; never parsed).</param>
/// <param name="IsTransient">True when deleting it again later may succeed.</param>
public sealed record BlobDeleteFailure(string Name, string Reason, bool IsTransient);
