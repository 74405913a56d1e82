using System.Text.Json.Serialization;

namespace Payments.Contracts;

/// <summary>
/// The kinds of disagreement between the gateway's statement and the ledger, in the trade's split:
/// gateway-only (长款 / 单边账: <see cref="UnknownLocally"/>, <see cref="PaidButUnknown"/>,
/// <see cref="RefundedAtGatewayOnly"/>), ledger-only (短款: <see cref="LedgerOnly"/>), amount
/// (<see cref="AmountMismatch"/>) and status (<see cref="PaidButCancelled"/>, <see cref="StatusMismatch"/>). In JSON by name
/// (<c>"class": "AmountMismatch"</c>) on every surface that shows a report (the ops route, the console),
/// since a number says nothing to an operator and moves when a member is added; numbers are still read.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<DiscrepancyClass>))]
public enum DiscrepancyClass
{
    /// <summary>Captured at the gateway; the order still awaits payment locally. Healed: the payment is applied.</summary>
    PaidButUnknown,
    /// <summary>Captured for an order cancelled locally. Healed: refunded.</summary>
    PaidButCancelled,
    /// <summary>Captured for an order this pipeline never registered. Parked.</summary>
    UnknownLocally,
    /// <summary>Captured amount or currency differs from what the ledger recorded as paid. Parked.</summary>
    AmountMismatch,
    /// <summary>Refunded at the gateway while the order is completed locally. Parked.</summary>
    RefundedAtGatewayOnly,
    /// <summary>Captured under a payment id that is not the order's own (a second capture for one order). Healed: refunded.</summary>
    OtherPaymentCaptured,
    /// <summary>A line of one gateway's statement names an order registered with another gateway. Parked, never applied.</summary>
    ProviderMismatch,
    /// <summary>A capture the ledger recorded that the gateway's statement of its day does not list (短款). Parked.</summary>
    LedgerOnly,
    /// <summary>A refund the statement says was paid while the ledger says it failed or was closed. Parked.</summary>
    StatusMismatch,
}
