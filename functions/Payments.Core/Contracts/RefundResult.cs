namespace Payments.Contracts;

/// <summary>
/// The gateway's id for a refund it accepted, and where the refund stood in its answer (a refund
/// answered before this field existed was taken as paid, which is what <see cref="RefundState.Succeeded"/> keeps).
/// </summary>
public sealed record RefundResult(string RefundId, RefundState State = RefundState.Succeeded);
