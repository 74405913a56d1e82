using System.Globalization;

namespace Payments.Benchmarks.Reporting;

/// <summary>The run's numbers as a plain-text table, one block per suite, then the findings.</summary>
public static class ResultTable
{
    public static void Write(BenchReport report, TextWriter output)
    {
        var rows = report.Measurements
            .Select(m => (m.Suite, m.Case, m.Metric, Value: Format(m.Value), m.Unit))
            .ToList();
        var header = (Suite: "suite", Case: "case", Metric: "metric", Value: "value", Unit: "unit");
        int w1 = Width(r => r.Suite), w2 = Width(r => r.Case), w3 = Width(r => r.Metric), w4 = Width(r => r.Value);
        output.WriteLine();
        Line(header);
        output.WriteLine(new string('-', w1 + w2 + w3 + w4 + 16));
        string? suite = null;
        foreach (var row in rows)
        {
            if (suite is not null && row.Suite != suite)
            {
                output.WriteLine();
            }
            suite = row.Suite;
            Line(row);
        }
        output.WriteLine();
        foreach (var finding in report.Findings)
        {
            output.WriteLine("* " + finding);
        }

        int Width(Func<(string Suite, string Case, string Metric, string Value, string Unit), string> of) =>
            rows.Select(of).Append(of(header)).Max(s => s.Length);

        void Line((string Suite, string Case, string Metric, string Value, string Unit) r) =>
            output.WriteLine($"{r.Suite.PadRight(w1)}  {r.Case.PadRight(w2)}  {r.Metric.PadRight(w3)}  {r.Value.PadLeft(w4)}  {r.Unit}");
    }

    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 1000 or <= -1000 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 or <= -100 => value.ToString("0.0", CultureInfo.InvariantCulture),
        > -0.01 and < 0.01 and not 0 => value.ToString("0.###E+0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
