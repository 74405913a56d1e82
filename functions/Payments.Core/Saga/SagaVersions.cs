using Microsoft.DurableTask;

namespace Payments.Saga;

/// <summary>
/// The versions of <see cref="OrderSaga"/>'s steps. Every saga instance is stamped at its start with
/// the deployment's <c>Saga:Version</c> and keeps it for life; its orchestrator branches on that
/// stamp wherever the steps changed, so a saga that waited days for its payment replays exactly the
/// history it wrote. A saga started before versioning has no version and runs the first one.
/// (The rule for changing the saga: docs/design-notes.md, note 33.)
/// </summary>
public static class SagaVersions
{
    /// <summary>
    /// Two to four dotted numbers, which the Durable Task SDK compares as <see cref="System.Version"/>.
    /// Not a bare number: <c>System.Version</c> cannot parse "10", and the SDK then compares as strings,
    /// which puts "10" before "9" and would hand a version-10 saga the steps of an older one.
    /// </summary>
    public const string Pattern = @"^\d{1,9}(\.\d{1,9}){1,3}\z";

    /// <summary>The saga as first deployed: reserve, wait for the payment, commit, grant points.</summary>
    public const string First = "1.0";

    /// <summary>
    /// The orders read model follows the stock: <c>StockReserved</c> once the order's stock is held
    /// while it waits for its payment, <c>StockCommitted</c> once it is committed (while the points
    /// grant may back off for hours), so an operator and the crashed-saga sweep see from the order
    /// row alone what a saga that stopped there holds.
    /// </summary>
    public const string StockMilestones = "2.0";

    /// <summary>
    /// Fewer episodes per order: the read-model milestones move into the steps that reach them —
    /// <c>HoldStock</c> reserves and records <c>StockReserved</c>; after a matching payment one
    /// <c>SettlePaidOrder</c> records Paid, commits, records <c>StockCommitted</c>, grants points and
    /// records Completed — and the registration's own row stands for "Registered". A paid order takes
    /// 4 orchestration episodes and 2 activities instead of 10 and 8. Each folded activity is tried
    /// once; on failure the saga takes 2.0's separate steps (idempotent, so nothing is done twice).
    /// </summary>
    public const string FoldedSteps = "3.0";

    /// <summary>
    /// A storage blip never undoes a payment: the reservation, the stock commit and the read model's
    /// records retry for <c>Saga:StorageOutageMinutes</c> (<see cref="SagaSettings.OutageRetry"/>)
    /// instead of 2 + 4 + 8 s, and a commit that still cannot reach the ledger after a capture parks
    /// the paid order for an operator instead of refunding it. Only the stock ledger's answer that the
    /// commit cannot happen (<c>CommitResult.Failed</c>) refunds.
    /// </summary>
    public const string OutageRetries = "4.0";

    /// <summary>The newest version this build runs; the default of <c>Saga:Version</c>.</summary>
    public const string Current = OutageRetries;

    /// <summary>True when the running instance was started on <paramref name="version"/> or later (deterministic: the stamp is in its history).</summary>
    public static bool Runs(TaskOrchestrationContext context, string version) => context.CompareVersionTo(version) >= 0;
}
