namespace Cairn.Browser.Tests;

/// <summary>The XML answer to a POST upload with <c>success_action_status=201</c>, as the page's DOMParser read it.</summary>
/// <remarks>Settable properties and a parameterless constructor: Playwright fills results by reflection.</remarks>
public sealed record PostResponseFields
{
    public string? Root { get; init; }

    public string? Location { get; init; }

    public string? Bucket { get; init; }

    public string? Key { get; init; }

    public string? ETag { get; init; }
}
