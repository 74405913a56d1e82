namespace Payments.Contracts;

/// <summary>Who started a money movement, as the money ledger records it.</summary>
public static class MoneyInitiators
{
    /// <summary>A saga step or a refund orchestration of the pipeline (the reason says which).</summary>
    public const string Pipeline = "pipeline";
    /// <summary>An operator, through the console or an ops route.</summary>
    public const string Operator = "operator";
    /// <summary>The order service or customer service, through <c>POST /api/orders/{orderId}/refunds</c>.</summary>
    public const string OrderService = "order_service";
    /// <summary>Someone at the gateway (its dashboard, a merchant console): seen by a notice, a query or the statement.</summary>
    public const string Gateway = "gateway";
    /// <summary>A dispute or chargeback the gateway reported.</summary>
    public const string Dispute = "dispute";
}
