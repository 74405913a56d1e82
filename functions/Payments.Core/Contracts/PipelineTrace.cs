using System.Diagnostics;

namespace Payments.Contracts;

/// <summary>
/// The pipeline's own spans (intake → inbox → dispatch → lane), joined in one trace with the Durable
/// Task SDK's <c>Microsoft.DurableTask</c> spans (orchestrations, activities) and the outbound HTTP
/// spans of gateway calls. A span carries provider, event id and order id, never a payload.
/// </summary>
public static class PipelineTrace
{
    public const string SourceName = "Payments.Pipeline";

    /// <summary>The pipeline's meter, named as its activity source.</summary>
    public const string MeterName = SourceName;

    /// <summary>The Durable Task SDK's activity source: the saga's and its activities' spans.</summary>
    public const string DurableTaskSourceName = "Microsoft.DurableTask";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Span names, one per pipeline step.</summary>
    public const string Intake = "intake callback";
    public const string InboxAdd = "inbox add";
    public const string Dispatch = "dispatch";
    public const string LaneDrain = "retry lane drain";
    public const string Replay = "replay fixture";

    /// <summary>Tag names (OpenTelemetry style, lower-case dotted).</summary>
    public const string ProviderTag = "payments.provider";
    public const string EventIdTag = "payments.event_id";
    public const string OrderIdTag = "payments.order_id";
    public const string OutcomeTag = "payments.outcome";
}
