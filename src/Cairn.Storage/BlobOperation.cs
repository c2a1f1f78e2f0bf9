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
    /// <summary><see cref="IBlobBackend.ListPageAsync"/> (one per page; <c>ListAsync</c> makes one per page it reads).</summary>
    ListPage,
    /// <summary><see cref="IBlobBackend.PutIfAbsentAsync"/>.</summary>
    PutIfAbsent,
    /// <summary><see cref="IBlobBackend.DeleteManyAsync"/>.</summary>
    DeleteMany,
    /// <summary><see cref="IBlobBackend.BeginMultipartAsync"/>.</summary>
    BeginMultipart,
    /// <summary><see cref="IBlobBackend.UploadPartAsync"/>.</summary>
    UploadPart,
    /// <summary><see cref="IBlobBackend.CompleteMultipartAsync"/>.</summary>
    CompleteMultipart,
    /// <summary><see cref="IBlobBackend.AbortMultipartAsync"/>.</summary>
    AbortMultipart,
    /// <summary><see cref="IBlobBackend.ListMultipartUploadsAsync"/> (counted once per enumeration).</summary>
    ListMultipartUploads,
}
