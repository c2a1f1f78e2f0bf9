namespace Cairn.S3.Xml;

/// <summary>A <c>Deleted</c> entry of a DeleteObjects answer.</summary>
public sealed record DeletedObject(string Key)
{
    /// <summary>Version deleted, when the request named one.</summary>
    public string? VersionId { get; init; }

    /// <summary>True when the delete created or removed a delete marker; null leaves the element out.</summary>
    public bool? DeleteMarker { get; init; }

    /// <summary>Version id of that delete marker.</summary>
    public string? DeleteMarkerVersionId { get; init; }
}
