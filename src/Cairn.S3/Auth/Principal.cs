namespace Cairn.S3.Auth;

/// <summary>Who signed a request.</summary>
public sealed record Principal(string AccessKeyId, string DisplayName);
