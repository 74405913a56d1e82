namespace Payments.Gateway;

/// <summary>
/// The gateway answered and refused the call (an invalid request, a state that forbids it): retrying
/// the same call will not change the answer soon. Carries the gateway's own error type and code, never
/// a credential. The saga's retry policy still retries and then parks the step for an operator.
/// </summary>
public sealed class GatewayRefusedException(string provider, string operation, string paymentId, int statusCode, string? errorType, string? errorCode, string? reason)
    : Exception($"{provider} refused {operation} for payment {paymentId}: HTTP {statusCode}, {errorType ?? "error"}"
        + (errorCode is null ? "" : $"/{errorCode}") + (reason is null ? "" : $": {reason}"))
{
    public string Provider { get; } = provider;

    public string Operation { get; } = operation;

    public int StatusCode { get; } = statusCode;

    public string? ErrorCode { get; } = errorCode;
}
