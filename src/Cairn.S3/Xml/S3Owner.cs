namespace Cairn.S3.Xml;

/// <summary>The <c>Owner</c> element: canonical user id and optional display name.</summary>
public sealed record S3Owner(string Id, string? DisplayName = null);
