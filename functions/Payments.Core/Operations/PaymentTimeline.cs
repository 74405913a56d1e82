using Payments.Ledger;

namespace Payments.Operations;

/// <summary>Everything recorded about one order and its payment, in time order: what answers "what happened to this payment".</summary>
public sealed record PaymentTimeline(OrderRecord Order, IReadOnlyList<TimelineEntry> Entries, bool FromDurableHistory);
