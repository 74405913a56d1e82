namespace Payments.Operations;

/// <summary>
/// One line of a payment's timeline: when, from which source (<c>callback</c>, <c>saga</c>,
/// <c>lane</c>, <c>dead_letter</c>, <c>query</c>, <c>statement</c>, <c>refund</c>, <c>parked</c>,
/// <c>audit</c>, <c>order</c>, <c>money</c>), what happened and its detail; <see cref="Body"/> names a stored
/// callback (<c>provider/eventId</c>) whose raw body the console fetches on demand.
/// </summary>
public sealed record TimelineEntry(DateTimeOffset At, string Source, string Title, string Detail, string? Body = null);
