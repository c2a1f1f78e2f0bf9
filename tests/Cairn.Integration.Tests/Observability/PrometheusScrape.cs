using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Integration.Tests.Observability;

/// <summary>One scrape of <c>/_cairn/metrics</c>, parsed from the Prometheus text format into samples.</summary>
internal sealed partial class PrometheusScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["key"].Value] = label.Groups["value"].Value;
            }
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, CultureInfo.InvariantCulture),
            };
            _samples.Add((match.Groups["name"].Value, labels, value));
        }
    }

    /// <summary>The raw response, for failure messages.</summary>
    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http, string endpoint)
    {
        using var response = await http.GetAsync(endpoint + "/_cairn/metrics");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>True when some sample is named <paramref name="name"/>.</summary>
    public bool Has(string name) => _samples.Exists(sample => sample.Name == name);

    /// <summary>
    /// The sum of the samples named <paramref name="name"/> whose labels include every pair of
    /// <paramref name="labels"/> ("key=value"); 0 when there is none.
    /// </summary>
    public double Sum(string name, params string[] labels)
    {
        var total = 0.0;
        foreach (var sample in _samples)
        {
            if (sample.Name == name && labels.All(pair =>
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    return sample.Labels.TryGetValue(pair[..equals], out var value) && value == pair[(equals + 1)..];
                }))
            {
                total += sample.Value;
            }
        }
        return total;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
