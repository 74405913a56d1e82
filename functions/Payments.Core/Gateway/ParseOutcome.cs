using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>The result of parsing a verified callback.</summary>
public abstract record ParseOutcome
{
    private ParseOutcome() { }

    /// <summary>A payment event the pipeline applies.</summary>
    public sealed record Parsed(PaymentEvent Event) : ParseOutcome;

    /// <summary>A well-formed event of a type this pipeline does not act on; acknowledged and kept.</summary>
    public sealed record Ignored(string EventId, string EventType) : ParseOutcome;

    /// <summary>
    /// A verified, well-formed event the pipeline must not apply by itself (it names no order, or its
    /// shape is one the connector does not read): stored, acknowledged, and parked for an operator,
    /// rather than refused and retried by the gateway for days with the same answer. A refund that
    /// failed after the gateway accepted it carries the <paramref name="Refund"/> to ask for again, under
    /// the next attempt's idempotency key: intake parks it for the operator's refund retry as well.
    /// </summary>
    public sealed record Parked(string EventId, string EventType, string Reason, string? OrderId = null, RefundRequest? Refund = null) : ParseOutcome;

    /// <summary>A malformed or invalid payload; each error names the field at fault.</summary>
    public sealed record Invalid(IReadOnlyList<string> Errors) : ParseOutcome;
}
