namespace GatewaySimulator;

/// <summary>
/// Body of <c>POST /sim/payments/{id}/refund-faults</c>: refuse the next N refunds; lose every refund
/// answer (and, with <see cref="LoseListAnswers"/>, every answer listing the payment's refunds) while set;
/// accept the next <see cref="FailAfterAcceptance"/> refunds and then fail them (the money never goes back);
/// answer the next <see cref="InFlight"/> refund requests as Stripe answers while the first request under
/// their key is still executing (409 <c>idempotency_key_in_use</c>; nothing executed, nothing saved).
/// </summary>
internal sealed record RefundFaults(int Refuse = 0, bool LoseAnswers = false, bool LoseListAnswers = false, int FailAfterAcceptance = 0, int InFlight = 0);
