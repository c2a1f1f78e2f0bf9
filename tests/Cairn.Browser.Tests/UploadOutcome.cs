namespace Cairn.Browser.Tests;

/// <summary>
/// What the page's <c>fetch</c> came to: the status and body of the response, and the ETag header as the page can read it
/// (only when CORS exposes it); or, when the browser refused the request, the error it rejected with.
/// </summary>
/// <remarks>Settable properties and a parameterless constructor: Playwright fills results by reflection.</remarks>
public sealed record UploadOutcome
{
    public int? Status { get; init; }

    public string? Body { get; init; }

    public string? ETag { get; init; }

    public string? Error { get; init; }
}
