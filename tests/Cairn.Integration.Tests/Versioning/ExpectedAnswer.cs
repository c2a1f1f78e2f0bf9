using System.Net;

namespace Cairn.Integration.Tests.Versioning;

/// <summary>
/// What a request must answer: success, or an error status with its code. <see cref="Or"/> is a second answer
/// accepted where the spec and AWS's documentation leave the choice open (each use says why).
/// </summary>
internal sealed record ExpectedAnswer(HttpStatusCode Status, string? Code, ExpectedAnswer? Or = null)
{
    public static readonly ExpectedAnswer Ok = new(HttpStatusCode.OK, null);

    public bool IsOk => Status == HttpStatusCode.OK;

    public static ExpectedAnswer Error(HttpStatusCode status, string code, ExpectedAnswer? or = null) => new(status, code, or);

    /// <summary>Whether an error answer (status, and the code when there is a body) is this one or its alternative.</summary>
    public bool Matches(HttpStatusCode status, string? code) =>
        (!IsOk && status == Status && (Code is null || code == Code)) || (Or?.Matches(status, code) ?? false);

    public override string ToString() => IsOk ? "OK" : $"{(int)Status} {Code}{(Or is null ? "" : $" (or {Or})")}";
}

/// <summary>Whether a lock lets a change through at the server's current time, or whether that time is too close to call.</summary>
internal enum LockDecision
{
    Allowed,
    Denied,
    Uncertain,
}
