namespace Cairn.Engine.Multipart;

/// <summary>A page of an upload's parts, by ascending part number.</summary>
public sealed record UploadedPartListing(IReadOnlyList<UploadedPart> Parts, bool IsTruncated);
