namespace Payments.Contracts;

/// <summary>The kinds of work a saga parks for an operator.</summary>
public static class ParkedKinds
{
    public const string RefundFailed = "refund_failed";
    public const string PointsGrant = "points_grant";
    public const string CloseFailed = "close_failed";
    public const string SagaFailed = "saga_failed";
    public const string ReleaseFailed = "release_failed";
    public const string RecordFailed = "record_failed";
}
