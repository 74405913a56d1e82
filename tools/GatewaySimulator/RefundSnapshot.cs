namespace GatewaySimulator;

/// <summary>Immutable view of one refund, replayed verbatim when the same Idempotency-Key comes again.</summary>
public sealed record RefundSnapshot(
    string RefundId,
    string PaymentId,
    long AmountMinor,
    string Currency,
    string Status,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, string>? Metadata = null,
    string? IdempotencyKey = null)
{
    /// <summary>The key prefix of a refund the merchant made in the gateway's own dashboard, not through the API.</summary>
    public const string DashboardKeyPrefix = "dashboard:";

    public bool MadeInDashboard => IdempotencyKey?.StartsWith(DashboardKeyPrefix, StringComparison.Ordinal) == true;
}
