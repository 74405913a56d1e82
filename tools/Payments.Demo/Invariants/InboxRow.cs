using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Saga;

namespace Payments.Demo.Invariants;

/// <summary>One inbox row: a callback as stored, with the parsed fields the invariants need.</summary>
public sealed record InboxRow(string Provider, string EventId, InboxState State, PaymentEventKind? Kind, string? PaymentId, string? OrderId);
