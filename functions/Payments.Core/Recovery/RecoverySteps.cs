namespace Payments.Recovery;

/// <summary>The reconciler's steps, each run by a timer function of its own (and all of them by one <see cref="Reconciler.RunAsync"/>).</summary>
public static class RecoverySteps
{
    /// <summary>Outbox relay, registration healing and the active payment query: the query reads what the relay just left.</summary>
    public const string RelayAndQuery = "relay_and_query";

    public const string RefundTracking = "refund_tracking";

    public const string CrashedSagas = "crashed_sagas";

    public const string FailedRefunds = "failed_refunds";
}
