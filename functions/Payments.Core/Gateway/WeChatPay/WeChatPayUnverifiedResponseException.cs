namespace Payments.Gateway.WeChatPay;

/// <summary>
/// A WeChat Pay response whose signature did not verify (missing, unknown serial, stale, or wrong):
/// nothing in it is acted on. Not retried in-call; the saga's retry policy retries and then parks.
/// </summary>
public sealed class WeChatPayUnverifiedResponseException(string method, string path, int statusCode, string reason)
    : Exception($"WeChat Pay response to {method} {path} (HTTP {statusCode}) is not verified: {reason}.");
