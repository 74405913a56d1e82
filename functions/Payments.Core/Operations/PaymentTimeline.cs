using Payments.Ledger;

namespace Payments.Operations;

/// <summary>Everything recorded about one order and its payment, in time order: what answers "what happened to this payment".</summary>
/// <remarks><see cref="Status"/> is the order's state by name (the read model's enum goes out as a number).</remarks>
public sealed record PaymentTimeline(OrderRecord Order, string Status, IReadOnlyList<TimelineEntry> Entries, bool FromDurableHistory);
