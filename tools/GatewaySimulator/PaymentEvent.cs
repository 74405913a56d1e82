namespace GatewaySimulator;

/// <summary>A provider-neutral state change that becomes one webhook event.</summary>
internal sealed record PaymentEvent(
    PaymentEventKind Kind,
    PaymentSnapshot Payment,
    DateTimeOffset OccurredAt,
    string? ChargeId = null,
    RefundSnapshot? Refund = null,
    DisputeSnapshot? Dispute = null,
    DisputeStep DisputeStep = DisputeStep.Opened);
