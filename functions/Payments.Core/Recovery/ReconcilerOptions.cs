using System.ComponentModel.DataAnnotations;

namespace Payments.Recovery;

/// <summary>When the reconciler asks the gateway about orders still awaiting payment, bound from <c>Reconciler</c>.</summary>
public sealed class ReconcilerOptions
{
    public const string Section = "Reconciler";

    /// <summary>
    /// An order still awaiting payment this long after registration gets an active query, well
    /// before its payment window closes, so a lost webhook costs minutes rather than the window.
    /// </summary>
    [Range(1, 86_400)]
    public int ActiveQueryAfterSeconds { get; set; } = 120;

    /// <summary>
    /// The longest wait between two active queries of one order: after the first, each waits twice
    /// the one before (<see cref="ActiveQuerySchedule"/>), up to this.
    /// </summary>
    [Range(1, 86_400)]
    public int ActiveQueryMaxIntervalSeconds { get; set; } = 1_800;

    /// <summary>
    /// A refund the gateway accepted but has not paid out is first asked about this long after it was
    /// requested (WeChat Pay's guidance: after a minute), then each time twice as long after, up to
    /// <see cref="RefundMaxCheckIntervalSeconds"/> (<see cref="RefundTracker"/>).
    /// </summary>
    [Range(1, 86_400)]
    public int RefundFirstCheckSeconds { get; set; } = 60;

    [Range(1, 86_400)]
    public int RefundMaxCheckIntervalSeconds { get; set; } = 3_600;

    /// <summary>
    /// A refund not final this long after it was requested is overdue: counted (<c>payments.refunds.overdue</c>)
    /// and alerted. Card refunds settle within days at every gateway here; most within minutes.
    /// </summary>
    [Range(1, 10_000)]
    public int RefundOverdueAfterHours { get; set; } = 72;

    /// <summary>
    /// How long after a saga failed or was terminated the sweep waits before it reads what the saga did:
    /// terminating an orchestration does not stop an activity it had started (the Functions host lets it
    /// run to its <c>functionTimeout</c>, 5 minutes here), and one still running may yet commit the stock,
    /// grant the points and record Completed. Deciding earlier is guessing.
    /// </summary>
    [Range(0, 86_400)]
    public int CrashedSagaGraceSeconds { get; set; } = 600;

    /// <summary>
    /// Outbox-relay passes that may fail to dispatch one stored callback before it is parked as a dead
    /// letter for an operator (who can re-drive it) instead of being retried on every run for ever.
    /// At one run a minute, 20 is twenty minutes of an order service or lane that keeps refusing it.
    /// </summary>
    [Range(1, 10_000)]
    public int RelayMaxAttempts { get; set; } = 20;

    /// <summary>
    /// How long each recovery step (relay and active query, refund tracking, crashed-saga sweep,
    /// failed-refund sweep: a timer function each) may keep taking new work in one run; what is left
    /// comes first in its next run. Below the host's five-minute <c>functionTimeout</c>.
    /// </summary>
    [Range(1, 280)]
    public int StepBudgetSeconds { get; set; } = 240;

    /// <summary>Bounds the gateway calls one reconciler run makes.</summary>
    [Range(1, 10_000)]
    public int MaxActiveQueriesPerRun { get; set; } = 200;

    /// <summary>
    /// An order shown Paid this long with its saga still running is parked as stuck. Longer than the
    /// points back-off's whole horizon, the longest a healthy saga stays in Paid.
    /// </summary>
    [Range(1, 100_000)]
    public int StuckPaidAfterMinutes { get; set; } = 360;

    /// <summary>
    /// Statement rows per chunk of a statement run: each chunk is one activity (one blob read, one
    /// range read of the capture index, the chunk's discrepancies), so this bounds how long any single
    /// function run of the reconciliation takes, however long the day's statement is.
    /// </summary>
    [Range(1, 50_000)]
    public int StatementChunkLines { get; set; } = 5_000;

    /// <summary>
    /// Chunks the staging step reconciles itself, from memory, as it reads them (a few at a time),
    /// instead of staging them for activities of their own: a day of up to this many chunks is one
    /// activity (read, reconcile, finish) instead of three hops and a blob round trip per chunk. The
    /// step then does this many chunks' work, so this bounds its run time as <see cref="StatementChunkLines"/>
    /// bounds a chunk's: by default 40,000 lines, seconds of work against the host's five-minute
    /// <c>functionTimeout</c>. 0: every chunk is staged and reconciled by its own activity.
    /// </summary>
    [Range(0, 16)]
    public int StatementInlineChunks { get; set; } = 8;

    /// <summary>
    /// How long after a capture the pipeline may record it and still have the statement run find it
    /// by range read (webhook delays, retries); a capture recorded later costs one point read, not a wrong verdict.
    /// </summary>
    [Range(1, 1_440)]
    public int StatementIndexLagMinutes { get; set; } = 15;

    /// <summary>
    /// The statement run's look the other way (ledger-only, 短款) checks the ledger's captures recorded at
    /// least this long before the run read the statement: a capture recorded just before may be on the
    /// gateway's next statement (the gateway's clock and ours differ a little; its export lags).
    /// </summary>
    [Range(0, 3_600)]
    public int StatementLedgerOnlyMarginSeconds { get; set; } = 300;

    /// <summary>
    /// How long a statement run waits before asking again a gateway whose statement could not be read
    /// (down, refusing, a download cut short); the other gateways' lines are reconciled meanwhile.
    /// Six tries: with the default 600 s, an outage of about an hour.
    /// </summary>
    [Range(1, 86_400)]
    public int StatementSourceRetrySeconds { get; set; } = 600;
}
