namespace Payments.Demo.Reporting;

/// <summary>
/// One captured payment's time to its order's terminal state: from the gateway's capture, and from
/// the later of the capture and the order's registration (what the pipeline itself can act on).
/// </summary>
public sealed record PaymentLatency(string OrderId, string PaymentId, TimeSpan Latency, TimeSpan SinceOrderAndPayment);
