namespace Cairn.Server;

/// <summary>What the server resolved at start, for the banner, tests and admin endpoints.</summary>
public sealed record ServerInfo(string DataDirectory, string AccessKey, string SecretKey, bool GeneratedCredentials, string Region);
