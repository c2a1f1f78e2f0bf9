using Cairn.Bench.Load.Runner;

namespace Cairn.Bench.Load.Scenarios;

/// <summary>
/// What a scenario measured: the timed phase, the untimed setup before it (bucket, objects, signing),
/// and the figures only some scenarios have. <see cref="CountsBytes"/> says whether body bytes per
/// second mean something (not for HEAD or listings); <see cref="Keys"/> and <see cref="Pages"/> are
/// the listing scenarios' totals.
/// </summary>
internal sealed record ScenarioOutcome(PhaseResult Timed, TimeSpan Setup, bool CountsBytes, long? Keys = null, long? Pages = null);
