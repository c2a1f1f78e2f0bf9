namespace Cairn.Bench.Load;

/// <summary>What a run measures; the CLI names are in <see cref="ScenarioNames"/>.</summary>
internal enum Scenario
{
    Put,
    Get,
    Head,
    Mix,
    PutLarge,
    GetLarge,
    Multipart,
    List,
    ListDelimiter,
}

/// <summary>How requests are sent: signed S3 requests, or unsigned ones to a fixed path.</summary>
internal enum BenchMode
{
    S3,
    Raw,
}

/// <summary>The CLI spelling of each scenario, the one the JSON output carries too.</summary>
internal static class ScenarioNames
{
    public static string Of(Scenario scenario) => scenario switch
    {
        Scenario.Put => "put",
        Scenario.Get => "get",
        Scenario.Head => "head",
        Scenario.Mix => "mix",
        Scenario.PutLarge => "put-large",
        Scenario.GetLarge => "get-large",
        Scenario.Multipart => "multipart",
        Scenario.List => "list",
        Scenario.ListDelimiter => "list-delimiter",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static bool TryParse(string text, out Scenario scenario)
    {
        foreach (var candidate in Enum.GetValues<Scenario>())
        {
            if (Of(candidate) == text)
            {
                scenario = candidate;
                return true;
            }
        }
        scenario = default;
        return false;
    }

    /// <summary>Scenarios that measure request rate (many small requests from a signed pool).</summary>
    public static bool IsRequestRate(Scenario scenario) =>
        scenario is Scenario.Put or Scenario.Get or Scenario.Head or Scenario.Mix or Scenario.ListDelimiter;
}
