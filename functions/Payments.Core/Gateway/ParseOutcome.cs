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

    /// <summary>A malformed or invalid payload; each error names the field at fault.</summary>
    public sealed record Invalid(IReadOnlyList<string> Errors) : ParseOutcome;
}
