namespace Payments.Saga;

/// <summary>The registered names of the saga's activities, shared by the orchestrator and both hosts.</summary>
public static class SagaActivityNames
{
    public const string RecordOrderState = nameof(RecordOrderState);
    public const string ReserveStock = nameof(ReserveStock);
    public const string CommitStock = nameof(CommitStock);
    public const string ReleaseStock = nameof(ReleaseStock);
    public const string GrantPoints = nameof(GrantPoints);
    public const string QueryPayment = nameof(QueryPayment);
    public const string ClosePayment = nameof(ClosePayment);
    public const string Refund = nameof(Refund);
    public const string Park = nameof(Park);

    /// <summary>Saga 3.0: reserve the stock and record <c>StockReserved</c>, one activity.</summary>
    public const string HoldStock = nameof(HoldStock);

    /// <summary>Saga 3.0: record Paid, commit the stock, record <c>StockCommitted</c>, grant points, record Completed, one activity.</summary>
    public const string SettlePaidOrder = nameof(SettlePaidOrder);
}
