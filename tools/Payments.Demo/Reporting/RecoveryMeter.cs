using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Payments.Faults;
using Payments.Recovery;

namespace Payments.Demo.Reporting;

/// <summary>
/// Listens to the pipeline's own meter (<see cref="PipelineMetrics"/>) and the fault decorators'
/// (<see cref="FaultMetrics"/>) in this process, the way an exporter would, and keeps each counter's
/// total per tag value (path, reason, class, fault kind).
/// </summary>
public sealed class RecoveryMeter : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Instrument, string? Tag), long> totals = new();

    public RecoveryMeter()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is PipelineMetrics.MeterName or FaultMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? tag = null;
            foreach (var pair in tags)
            {
                tag = pair.Value?.ToString();
            }
            totals.AddOrUpdate((instrument.Name, tag), value, (_, n) => n + value);
        });
        listener.Start();
    }

    /// <summary>The counter's total for one tag value, e.g. ("payments.callbacks.recovered", "active_query").</summary>
    public long Total(string instrument, string tag) => totals.GetValueOrDefault((instrument, tag));

    /// <summary>The counter's total over all tag values.</summary>
    public long Total(string instrument) => totals.Where(t => t.Key.Instrument == instrument).Sum(t => t.Value);

    public void Dispose() => listener.Dispose();
}
