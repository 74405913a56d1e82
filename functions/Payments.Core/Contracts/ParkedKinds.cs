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
    /// <summary>A captured payment whose stock commit could not reach the ledger for the whole storage-outage bound (saga 4.0): the order stays Paid, not refunded, for an operator to commit or refund.</summary>
    public const string CommitFailed = "commit_failed";
    /// <summary>A saga that failed or was terminated, found by the reconciler (its captured payment is being refunded, or nothing was captured).</summary>
    public const string SagaCrashed = "saga_crashed";
    /// <summary>A saga still running, its order shown Paid for longer than the reconciler's bound.</summary>
    public const string SagaStuck = "saga_stuck";
    /// <summary>A refund orchestration that ended Failed or Terminated, restarted once by the reconciler (if it ends so again, its refund is parked as <see cref="RefundFailed"/>).</summary>
    public const string RefundCrashed = "refund_crashed";
    /// <summary>A verified callback (or statement line) of one gateway that named an order registered with another; never applied.</summary>
    public const string ProviderMismatch = "provider_mismatch";
    /// <summary>A dispute or chargeback the gateway reported, one item per dispute: defend it at the gateway (evidence before its deadline) or accept it; a lost one reverses the order by itself.</summary>
    public const string DisputeOpened = "dispute_opened";
    /// <summary>A dispute won (or a chargeback reversed) after the order was reversed for it: the money is back, nothing was re-granted; the operator decides on points and goods.</summary>
    public const string DisputeWonAfterReversal = "dispute_won_after_reversal";
}
