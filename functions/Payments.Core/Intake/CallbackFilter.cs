using Payments.Storage;

namespace Payments.Intake;

/// <summary>Which stored callbacks to export: every field optional, all given ones must match.</summary>
public sealed record CallbackFilter(
    string? Provider = null,
    string? EventType = null,
    InboxState? State = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? OrderId = null)
{
    /// <summary>The event type a stored callback is filtered by: the gateway's type, or the parsed kind (Succeeded, Failed, …).</summary>
    public bool Matches(InboxEntry entry) =>
        (Provider is null || entry.Provider == Provider)
        && (EventType is null || string.Equals(entry.EventType ?? entry.Event?.Kind.ToString(), EventType, StringComparison.OrdinalIgnoreCase))
        && (State is null || entry.State == State)
        && (From is null || entry.ReceivedAt >= From)
        && (To is null || entry.ReceivedAt < To)
        && (OrderId is null || entry.Event?.OrderId == OrderId);
}
