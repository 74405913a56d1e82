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
}
