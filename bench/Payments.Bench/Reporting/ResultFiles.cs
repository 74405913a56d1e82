using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;

namespace Payments.Benchmarks.Reporting;

/// <summary>Writes a run as <c>results-&lt;timestamp&gt;.json</c> and a bar chart <c>results-&lt;timestamp&gt;.svg</c>.</summary>
public static class ResultFiles
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>One chart panel: the measurements it shows, each as a bar labelled by its case.</summary>
    private sealed record Panel(string Title, Func<Measurement, bool> Shows);

    private static readonly Panel[] Panels =
    [
        new("Intake at saturation — callbacks/s (bare insert = limit)", m => m is { Suite: "intake", Metric: "throughput" } && m.Case.EndsWith("saturation", StringComparison.Ordinal)),
        new("Saga, payment callback → Completed — orders/s", m => m is { Suite: "saga", Metric: "throughput" }),
        new("Statement reconciliation — lines/s", m => m is { Suite: "reconciliation", Metric: "throughput" }),
        new("Statement reconciliation — peak managed heap above baseline, MB", m => m is { Suite: "reconciliation", Metric: "peak heap growth" }),
        new("Recovery, lost callback → terminal state — p50 seconds", m => m is { Suite: "recovery", Metric: "p50" }),
    ];

    public static async Task<(string Json, string Svg)> WriteAsync(BenchReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var stamp = report.StartedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var json = Path.Combine(directory, $"results-{stamp}.json");
        var svg = Path.Combine(directory, $"results-{stamp}.svg");
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, Json));
        await File.WriteAllTextAsync(svg, Chart(report));
        return (json, svg);
    }

    public static string Chart(BenchReport report)
    {
        const int width = 1120, labelWidth = 500, barMax = 500, barHeight = 18, gap = 6, titleHeight = 28;
        var svg = new StringBuilder();
        var y = 40;
        var body = new StringBuilder();
        foreach (var panel in Panels)
        {
            var bars = report.Measurements.Where(panel.Shows).Where(m => double.IsFinite(m.Value)).ToList();
            if (bars.Count == 0)
            {
                continue;
            }
            body.AppendLine(Text(10, y + 18, panel.Title, "font-weight:bold"));
            y += titleHeight;
            var max = Math.Max(bars.Max(b => b.Value), 1e-9);
            foreach (var bar in bars)
            {
                var length = Math.Max(1, bar.Value / max * barMax);
                body.AppendLine(Text(labelWidth - 8, y + barHeight - 4, bar.Case, "text-anchor:end"));
                body.AppendLine(Invariant($"<rect x=\"{labelWidth}\" y=\"{y}\" width=\"{length:0.0}\" height=\"{barHeight}\" fill=\"{Colour(bar.Case)}\"/>"));
                body.AppendLine(Text(labelWidth + (int)length + 6, y + barHeight - 4, ResultTable.Format(bar.Value), ""));
                y += barHeight + gap;
            }
            y += 14;
        }
        svg.AppendLine(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{y + 30}\" font-family=\"sans-serif\" font-size=\"12\">"));
        svg.AppendLine(Invariant($"<rect width=\"{width}\" height=\"{y + 30}\" fill=\"white\"/>"));
        svg.AppendLine(Text(10, 22, $"Payments benchmarks, {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.Machine.GetValueOrDefault("cores")} cores, {report.Machine.GetValueOrDefault("runtime")}", "font-size:14px"));
        svg.Append(body);
        svg.AppendLine(Text(10, y + 16, "Bars within a panel come from one run, side by side; compare ratios, not absolute values across machines.", "fill:#555"));
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    // Limits and ceilings grey, the pipeline itself blue.
    private static string Colour(string @case) =>
        @case.Contains("limit", StringComparison.Ordinal) || @case.Contains("in-memory", StringComparison.Ordinal) ? "#9e9e9e" : "#1f6fb2";

    private static string Text(int x, int y, string text, string style) =>
        Invariant($"<text x=\"{x}\" y=\"{y}\" style=\"{style}\">{SecurityElement.Escape(text)}</text>");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
