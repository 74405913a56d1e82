using Payments.Contracts;
using Payments.Storage;

namespace Payments.Demo.Invariants;

/// <summary>One inbox row: a callback as stored, with the parsed fields the invariants need.</summary>
public sealed record InboxRow(string Provider, string EventId, InboxState State, PaymentEventKind? Kind, string? PaymentId, string? OrderId);
