namespace Cairn.Storage;

/// <summary>The calls of <see cref="IBlobBackend"/>, for per-operation fault rules and counters.</summary>
public enum BlobOperation
{
    /// <summary><see cref="IBlobBackend.PutAsync"/>.</summary>
    Put,
    /// <summary><see cref="IBlobBackend.ReadAsync"/>.</summary>
    Read,
    /// <summary><see cref="IBlobBackend.GetLengthAsync"/>.</summary>
    GetLength,
    /// <summary><see cref="IBlobBackend.DeleteAsync"/>.</summary>
    Delete,
    /// <summary><see cref="IBlobBackend.ListAsync"/> (counted once per enumeration).</summary>
    List,
}
