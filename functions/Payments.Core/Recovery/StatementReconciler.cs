using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Recovery;

/// <summary>
/// Daily settlement reconciliation, in the steps the <see cref="StatementRun"/> orchestration calls:
/// stage the gateway's statement into chunks (streamed; memory holds a few chunks), reconcile each chunk
/// against the ledger, finish with the stored report. Each chunk reads the ledger in bulk: one
/// key-range read of the capture index over the chunk's time span, keyed by payment id; only a line
/// the index cannot settle (a discrepancy candidate, or a capture the index does not know) reads its
/// order row, which alone decides any action. A discrepancy is acted on once: its report row, keyed
/// by (day, class, payment id), is written ahead of the action and completed after it; a retried chunk
/// completes what its dead attempt left pending, and a later run that finds the row does nothing.
/// A malformed statement row is reported by its line number and reason and counted, never fatal.
/// </summary>
/// <remarks>
/// The online paths (dispatch's second look at raised successes, its refund of another payment's
/// capture, the reconciler's crashed-saga sweep) settle every capture within minutes; this is the
/// net under them, for a callback that never arrived and a query that never ran.
/// </remarks>
public sealed class StatementReconciler(
    IPaymentGateway gateway,
    OrderBook orders,
    PaymentDispatch dispatch,
    RefundFollowUp refunds,
    MoneyLedger money,
    ReconciliationStore reports,
    StatementStage stage,
    ParkedItems parked,
    IOptions<ReconcilerOptions> options,
    TimeProvider clock,
    ILogger<StatementReconciler> log)
{
    private long orderPointReads;

    /// <summary>Orders read one by one (lines the capture index could not settle) since start, for tests and diagnostics.</summary>
    public long OrderPointReads => Interlocked.Read(ref orderPointReads);

    // The gateway's clock and ours may disagree a little: look this far before a chunk's first capture too.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Starts the day's run, or points at the one already under way (one instance per day).</summary>
    public async Task<StatementRunStart> StartAsync(DurableTaskClient durable, DateOnly date, CancellationToken ct = default)
    {
        var instanceId = StatementRun.InstanceId(date);
        if (await durable.GetInstanceAsync(instanceId, ct) is { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
        {
            return new StatementRunStart(date, instanceId, AlreadyRunning: true);
        }
        // Shown unfinished before the 202, so a reader polling the report never takes the last run's for this one's.
        await reports.MarkPendingAsync(date, ct);
        try
        {
            // A finished run of the day is started afresh (a second run changes nothing but the report's
            // "new" count); a concurrent start of a running one is refused, not restarted.
            var start = new StartOrchestrationOptions(instanceId).WithDedupeStatuses(Unfinished);
            await durable.ScheduleNewOrchestrationInstanceAsync(StatementRun.Name, new StatementRunInput(date, Policy: StatementRunPolicy.From(options.Value)), start, ct);
            return new StatementRunStart(date, instanceId, AlreadyRunning: false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Refused: another start won the race. Anything else is a real error.
            if (await durable.GetInstanceAsync(instanceId, ct) is not { RuntimeStatus: OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending })
            {
                throw;
            }
            return new StatementRunStart(date, instanceId, AlreadyRunning: true);
        }
    }

    private static readonly OrchestrationRuntimeStatus[] Unfinished =
        [.. StartOrchestrationOptionsExtensions.ValidDedupeStatuses.Where(s => s is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending)];

    /// <summary>
    /// Copies the day's statement into chunk blobs of <see cref="ReconcilerOptions.StatementChunkLines"/>
    /// rows each, gateway by gateway (a chunk never mixes two). A gateway whose statement cannot be read,
    /// or breaks off half-way, is isolated: its chunks are dropped, it is logged, counted and listed in the
    /// report and in the result for the run to ask again, and the other gateways are staged. A failure to
    /// write a chunk is storage's, not the gateway's: it fails the step, which the run retries.
    /// </summary>
    /// <remarks>
    /// A first staging reconciles its first <see cref="StatementStageRequest.ReconcileChunks"/> chunks
    /// itself, from memory, as <see cref="ReconcileChunkAsync"/> would from their blobs, and when that
    /// was the whole day (every gateway read) finishes the run as well. A retried step does all of it
    /// again, which is safe for the same reason a retried chunk is: a chunk completes what a dead
    /// attempt left pending before acting, and a discrepancy recorded once is not acted on again. The
    /// malformed lines of the reconciled positions are withdrawn first, since a retry (or a gateway
    /// that fails half-way, whose positions go to the next gateway's lines) can put other lines there.
    /// </remarks>
    public async Task<StagedStatement> StageAsync(StatementStageRequest request, DurableTaskClient? durable = null, CancellationToken ct = default)
    {
        // Before the first gateway is asked: the ledger-only look judges only captures recorded well before this.
        var readFrom = clock.GetUtcNow();
        var size = options.Value.StatementChunkLines;
        var chunk = new List<StatementEntry>(size);
        var chunks = request.FirstChunk;
        var rows = request.LinesBefore;
        var failures = new List<StatementSourceFailure>();
        // Numbers below this are reconciled here. A source that fails hands its numbers to the next source
        // (and is staged again later, after them), so whatever a number finally holds was reconciled last.
        var inline = request.Providers is null ? request.ReconcileChunks : 0;
        if (inline > 0 && durable is null)
        {
            throw new ArgumentNullException(nameof(durable), "Reconciling chunks while staging acts through the Durable client.");
        }
        await reports.RemoveMalformedAsync(request.Date, (long)request.FirstChunk * size, (long)inline * size, ct);
        // A few chunks in flight (uploads, or reconciliations of the first) while the next is read: memory holds at most that many chunks.
        var uploads = new List<Task>();
        async Task UploadAsync()
        {
            var number = chunks++;
            uploads.Add(number < inline
                ? ReconcileAsync(new StatementChunk(request.Date, request.Run, number), chunk, reports.ListPendingAsync(request.Date, request.Run, number, ct), durable!, ct)
                : stage.WriteChunkAsync(request.Date, request.Run, number, BinaryData.FromObjectAsJson(chunk), ct));
            chunk = new List<StatementEntry>(size);
            if (uploads.Count >= StatementRun.ParallelChunks)
            {
                var done = await Task.WhenAny(uploads);
                uploads.Remove(done);
                await done;
            }
        }
        // A port that is one gateway names no sources: its whole statement is the one source.
        IReadOnlyList<string?> providers = [null];
        if ((request.Providers ?? gateway.StatementProviders) is { Count: > 0 } named)
        {
            providers = named;
        }
        try
        {
            await StageSourcesAsync();
        }
        catch (Exception) when (uploads.Count > 0)
        {
            // The step fails, but not while a chunk it started still acts: its retry (or the next run) adopts that chunk's pending rows.
            await Task.WhenAll(uploads).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
        var reconciled = Math.Min(chunks, inline);
        if (request.Providers is null)
        {
            await reports.StartRunAsync(request.Date, rows, chunks, reconciled, failures, readFrom, ct);
        }
        else
        {
            await reports.ExtendRunAsync(request.Date, rows, chunks, failures, ct);
        }
        // The whole day reconciled here: the run's last step too, rather than one more hop for it.
        var finished = inline > 0 && reconciled == chunks && failures.Count == 0
            ? await FinishAsync(new StatementRunTotals(request.Date, request.Run, rows), ct)
            : null;
        return new StagedStatement(request.Date, request.Run, chunks, rows, failures, reconciled, finished);

        async Task StageSourcesAsync()
        {
            foreach (var provider in providers)
            {
                var (firstChunk, rowsBefore) = (chunks, rows);
                var failure = await ReadSourceAsync(provider, async entry =>
                {
                    chunk.Add(entry);
                    rows++;
                    if (chunk.Count == size)
                    {
                        await UploadAsync();
                    }
                });
                if (failure is null)
                {
                    if (chunk.Count > 0)
                    {
                        await UploadAsync();
                    }
                    continue;
                }
                // Drop what was staged of this gateway: the retry stages all of it again, over later chunk numbers,
                // and these numbers go to the next gateway. Chunks of it reconciled here stay reconciled (their
                // lines are real; the retry finds their discrepancies recorded), but their malformed lines are
                // withdrawn: their positions are the next gateway's now, and the retry records them at its own.
                await Task.WhenAll(uploads);
                uploads.Clear();
                await reports.RemoveMalformedAsync(request.Date, (long)firstChunk * size, (long)Math.Min(chunks, inline) * size, ct);
                chunk = new List<StatementEntry>(size);
                (chunks, rows) = (firstChunk, rowsBefore);
                var reason = Reason(failure);
                var name = provider ?? WholeStatement;
                failures.Add(new StatementSourceFailure(name, reason));
                log.StatementSourceFailed(failure, request.Date, name, reason);
                PipelineMetrics.StatementSourcesFailed.Add(1, new KeyValuePair<string, object?>("provider", name));
            }
            await Task.WhenAll(uploads);
        }

        // Only the gateway's own reading is caught (the call, the download, a statement cut short);
        // what the callback throws is storage's and fails the step.
        async Task<Exception?> ReadSourceAsync(string? provider, Func<StatementEntry, Task> stageEntry)
        {
            IAsyncEnumerator<StatementEntry>? entries = null;
            try
            {
                while (true)
                {
                    StatementEntry entry;
                    try
                    {
                        entries ??= (provider is null ? gateway.GetStatementAsync(request.Date, ct) : gateway.GetStatementAsync(request.Date, provider, ct)).GetAsyncEnumerator(ct);
                        if (!await entries.MoveNextAsync())
                        {
                            return null;
                        }
                        entry = entries.Current;
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        return ex;
                    }
                    await stageEntry(entry);
                }
            }
            finally
            {
                if (entries is not null)
                {
                    try
                    {
                        await entries.DisposeAsync();
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        // Closing a download that already failed or finished: nothing of the statement is lost.
                        log.StatementSourceFailed(ex, request.Date, provider ?? WholeStatement, "closing its download failed");
                    }
                }
            }
        }
    }

    /// <summary>The name a failure of a port without named sources is reported under (and asked again by).</summary>
    private const string WholeStatement = "gateway";

    /// <summary>What the report says about a gateway that could not be read: the error, never the statement's content.</summary>
    private static string Reason(Exception failure) => failure switch
    {
        GatewayRefusedException refused => refused.Message,
        HttpRequestException http => $"HTTP {(http.StatusCode is { } code ? (int)code : 0)} ({http.HttpRequestError})",
        TaskCanceledException => "timed out",
        _ => failure.GetType().Name,
    };

    /// <summary>Records that the day's run gave up, with why (the run has already logged and counted it).</summary>
    public Task FailAsync(StatementRunFailure failure, CancellationToken ct = default) =>
        reports.FailRunAsync(failure.Date, failure.Reason, clock.GetUtcNow(), ct);

    /// <summary>Reconciles one chunk and checkpoints the run past it. Idempotent: a retried chunk finds its rows already recorded.</summary>
    public async Task<ChunkResult> ReconcileChunkAsync(StatementChunk chunk, DurableTaskClient durable, CancellationToken ct = default)
    {
        // The chunk's rows and what a dead attempt left pending do not depend on each other: read side by side.
        var pendingRead = reports.ListPendingAsync(chunk.Date, chunk.Run, chunk.Chunk, ct);
        var entries = (await stage.ReadChunkAsync(chunk.Date, chunk.Run, chunk.Chunk, ct)).ToObjectFromJson<List<StatementEntry>>()
            ?? throw new InvalidDataException($"Statement chunk {chunk.Chunk} of {chunk.Date} is empty.");
        var result = await ReconcileAsync(chunk, entries, pendingRead, durable, ct);
        await reports.SaveProgressAsync(chunk.Date, chunk.Chunk + 1, ct);
        return result;
    }

    /// <summary>One chunk's rows against the ledger: first what a dead attempt left pending, then each line the capture index cannot settle.</summary>
    private async Task<ChunkResult> ReconcileAsync(
        StatementChunk chunk, List<StatementEntry> entries, Task<IReadOnlyList<(Discrepancy Discrepancy, string LineType, DateTimeOffset OccurredAt)>> pendingRead,
        DurableTaskClient durable, CancellationToken ct)
    {
        var date = chunk.Date;
        var firstPosition = (long)chunk.Chunk * options.Value.StatementChunkLines;
        var malformed = 0;
        var lines = new List<StatementLine>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is { Line: { } line })
            {
                lines.Add(line);
                continue;
            }
            await reports.AddMalformedAsync(new MalformedStatementLine(date, entries[i].LineNumber, entries[i].Problem ?? "unreadable"), firstPosition + i, ct);
            log.StatementLineMalformed(date, entries[i].LineNumber, entries[i].Problem ?? "unreadable");
            PipelineMetrics.StatementLinesMalformed.Add(1);
            malformed++;
        }

        // A previous attempt of this chunk that died between recording a discrepancy and its action: finish those first.
        var found = 0;
        foreach (var (pending, lineType, occurredAt) in await pendingRead)
        {
            // The pending row keeps no refund id: a gateway-only refund resumed here is matched by payment and amount.
            var line = new StatementLine(pending.PaymentId, pending.OrderId, lineType, pending.AmountMinor, pending.Currency, occurredAt);
            await reports.CompleteAsync(pending, chunk.Run, await ActAsync(pending.Class, line, await orders.GetAsync(pending.OrderId, ct), durable, ct), ct);
            // The dead attempt never got to count it: the discrepancy alert must still see it.
            PipelineMetrics.ReconciliationDiscrepancies.Add(1, new KeyValuePair<string, object?>("class", pending.Class.ToString()));
            found++;
        }

        await stage.WriteSeenAsync(date, chunk.Run, chunk.Chunk, lines.Where(l => l.Type == "capture").Select(l => l.PaymentId).Distinct(), ct);
        var known = await CapturedAroundAsync(lines, ct);
        var pointReads = 0;
        foreach (var line in lines)
        {
            if (await RefundStatusMismatchAsync(line, ct) is { } failedHere)
            {
                if (await ReportOnceAsync(DiscrepancyClass.StatusMismatch, line, await orders.GetAsync(line.OrderId, ct), chunk, durable,
                    $"; the ledger's refund {failedHere.Key} is {failedHere.State}", ct))
                {
                    found++;
                }
                continue;
            }
            if (known.TryGetValue(line.PaymentId, out var indexed) && Classify(line, indexed) is null)
            {
                continue; // settled as the ledger recorded it
            }
            pointReads++;
            Interlocked.Increment(ref orderPointReads);
            var order = await orders.GetAsync(line.OrderId, ct);
            if (Classify(line, order is null ? null : LedgerPayment.From(order)) is not { } kind || await reports.ExistsAsync(date, kind, line.PaymentId, ct)
                || (kind is DiscrepancyClass.PaidButCancelled or DiscrepancyClass.OtherPaymentCaptured && await AlreadyRefundingAsync(line.PaymentId, durable, ct)))
            {
                continue;
            }
            var discrepancy = new Discrepancy(date, kind, line.PaymentId, line.OrderId, line.AmountMinor, line.Currency, ReconciliationStore.Pending, Describe(kind, line, order));
            if (!await reports.AddPendingAsync(discrepancy, chunk.Run, chunk.Chunk, line.Type, line.OccurredAt, ct))
            {
                continue;
            }
            await reports.CompleteAsync(discrepancy, chunk.Run, await ActAsync(kind, line, order, durable, ct), ct);
            PipelineMetrics.ReconciliationDiscrepancies.Add(1, new KeyValuePair<string, object?>("class", kind.ToString()));
            found++;
        }
        return new ChunkResult(lines.Count, found, malformed, pointReads);
    }

    /// <summary>A refund line naming a refund the ledger has as failed or closed: the gateway paid what the ledger says it did not.</summary>
    private async Task<MoneyMovement?> RefundStatusMismatchAsync(StatementLine line, CancellationToken ct) =>
        line is { Type: "refund", RefundId: { Length: > 0 } refundId, OrderId.Length: > 0 }
        && await money.FindRefundAsync(line.OrderId, null, refundId, ct) is { RefundState: RefundState.Failed or RefundState.Closed } refund
            ? refund
            : null;

    /// <summary>Records a discrepancy once (pending, then acted on and completed); false when it was recorded before.</summary>
    private async Task<bool> ReportOnceAsync(DiscrepancyClass kind, StatementLine line, OrderRecord? order, StatementChunk chunk, DurableTaskClient durable, string detail, CancellationToken ct)
    {
        if (await reports.ExistsAsync(chunk.Date, kind, line.PaymentId, ct))
        {
            return false;
        }
        var discrepancy = new Discrepancy(chunk.Date, kind, line.PaymentId, line.OrderId, line.AmountMinor, line.Currency, ReconciliationStore.Pending, Describe(kind, line, order) + detail);
        if (!await reports.AddPendingAsync(discrepancy, chunk.Run, chunk.Chunk, line.Type, line.OccurredAt, ct))
        {
            return false;
        }
        await reports.CompleteAsync(discrepancy, chunk.Run, await ActAsync(kind, line, order, durable, ct), ct);
        PipelineMetrics.ReconciliationDiscrepancies.Add(1, new KeyValuePair<string, object?>("class", kind.ToString()));
        return true;
    }

    /// <summary>
    /// The look the other way (短款): every capture the ledger recorded on the day, from the capture index,
    /// that no capture line of the statement named. Judged only for gateways whose statement was read and
    /// that have one, and only for captures recorded after the day's first <see cref="ReconcilerOptions.StatementIndexLagMinutes"/>
    /// (earlier ones may be on the day before's statement) and <see cref="ReconcilerOptions.StatementLedgerOnlyMarginSeconds"/>
    /// before the run read the statement (later ones may not be on it yet). Each is parked once.
    /// </summary>
    private async Task<int> ReconcileLedgerOnlyAsync(StatementRunTotals totals, CancellationToken ct)
    {
        var (readFrom, failures) = await reports.GetRunStartAsync(totals.Date, ct);
        if (readFrom is not { } readAt)
        {
            return 0;
        }
        var dayStart = new DateTimeOffset(totals.Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var from = dayStart + TimeSpan.FromMinutes(options.Value.StatementIndexLagMinutes);
        var end = readAt - TimeSpan.FromSeconds(options.Value.StatementLedgerOnlyMarginSeconds);
        var to = end < dayStart.AddDays(1) ? end : dayStart.AddDays(1);
        if (to <= from)
        {
            return 0;
        }
        var unread = failures.Select(f => f.Provider).ToHashSet(StringComparer.Ordinal);
        var seen = await stage.ReadSeenAsync(totals.Date, totals.Run, ct);
        var run = new StatementChunk(totals.Date, totals.Run, LedgerOnlyChunk);
        var found = 0;
        await foreach (var captured in orders.ListCapturedAsync(from, to, ct))
        {
            if (seen.Contains(captured.PaymentId) || unread.Contains(captured.Provider) || unread.Contains(WholeStatement) || !gateway.HasStatement(captured.Provider)
                || await reports.ExistsAsync(totals.Date, DiscrepancyClass.LedgerOnly, captured.PaymentId, ct))
            {
                continue;
            }
            var line = new StatementLine(captured.PaymentId, captured.OrderId, "capture", captured.PaidAmountMinor ?? 0, captured.Currency, from, captured.Provider);
            var discrepancy = new Discrepancy(totals.Date, DiscrepancyClass.LedgerOnly, captured.PaymentId, captured.OrderId, line.AmountMinor, line.Currency, ReconciliationStore.Pending,
                $"LedgerOnly: the ledger recorded {captured.Provider} capture {line.AmountMinor} {line.Currency} of payment {captured.PaymentId} for order {captured.OrderId}; the gateway's statement of {totals.Date:yyyy-MM-dd} does not list it");
            if (!await reports.AddPendingAsync(discrepancy, run.Run, run.Chunk, line.Type, line.OccurredAt, ct))
            {
                continue;
            }
            await reports.CompleteAsync(discrepancy, run.Run, await ParkAsync(DiscrepancyClass.LedgerOnly, line, null, ct), ct);
            PipelineMetrics.ReconciliationDiscrepancies.Add(1, new KeyValuePair<string, object?>("class", nameof(DiscrepancyClass.LedgerOnly)));
            found++;
        }
        return found;
    }

    /// <summary>The chunk number ledger-only rows are recorded under: no chunk of the run adopts them; a later run's first chunk does, and parks them.</summary>
    private const int LedgerOnlyChunk = -1;

    /// <summary>Stores the run's outcome in the day's summary and deletes the staged copy.</summary>
    public async Task<StatementRunResult> FinishAsync(StatementRunTotals totals, CancellationToken ct = default)
    {
        await ReconcileLedgerOnlyAsync(totals, ct);
        var (all, found, malformed) = await reports.TallyAsync(totals.Date, totals.Run, ct);
        // Both idempotent, so side by side: a retried finish writes the same summary and finds fewer blobs.
        await Task.WhenAll(
            reports.FinishRunAsync(totals.Date, found, all, malformed, clock.GetUtcNow(), ct),
            stage.DeleteRunAsync(totals.Date, totals.Run, ct));
        log.StatementReconciled(totals.Date, totals.Lines, found, all);
        return new StatementRunResult(totals.Date, totals.Lines, found, all, malformed);
    }

    /// <summary>The ledger's captures recorded while this chunk's lines happened (plus the recording lag), by payment id.</summary>
    private async Task<Dictionary<string, LedgerPayment>> CapturedAroundAsync(List<StatementLine> lines, CancellationToken ct)
    {
        var known = new Dictionary<string, LedgerPayment>(StringComparer.Ordinal);
        if (lines.Count == 0)
        {
            return known;
        }
        var from = lines.Min(l => l.OccurredAt) - ClockSkew;
        var to = lines.Max(l => l.OccurredAt) + TimeSpan.FromMinutes(options.Value.StatementIndexLagMinutes);
        await foreach (var payment in orders.ListCapturedAsync(from, to, ct))
        {
            known[payment.PaymentId] = payment;
        }
        return known;
    }

    /// <summary>A late payment the pipeline already refunds (its webhook did arrive) is no discrepancy.</summary>
    private static async Task<bool> AlreadyRefundingAsync(string paymentId, DurableTaskClient durable, CancellationToken ct) =>
        await durable.GetInstanceAsync(LatePaymentRefund.InstanceId(paymentId), ct) is not null;

    public static DiscrepancyClass? Classify(StatementLine line, LedgerPayment? order) => (line.Type, order) switch
    {
        // Before anything else: a gateway's statement speaks only for orders registered with that gateway.
        (_, { } o) when line.Provider is { } provider && !string.Equals(provider, o.Provider, StringComparison.Ordinal) => DiscrepancyClass.ProviderMismatch,
        ("capture", null) => DiscrepancyClass.UnknownLocally,
        // Before any status: a capture under another payment id is never the order's settlement, whatever the order's state.
        ("capture", { } o) when o.PaymentId != line.PaymentId => DiscrepancyClass.OtherPaymentCaptured,
        ("capture", { Status: OrderStatus.AwaitingPayment }) => DiscrepancyClass.PaidButUnknown,
        ("capture", { Status: OrderStatus.Cancelled }) => DiscrepancyClass.PaidButCancelled,
        ("capture", { Status: OrderStatus.Paid or OrderStatus.Completed } o)
            when o.PaidAmountMinor != line.AmountMinor || o.Currency != line.Currency => DiscrepancyClass.AmountMismatch,
        ("refund", { } o) when o.PaymentId != line.PaymentId => null, // the refund of a second capture: the pipeline's own doing
        ("refund", { Status: OrderStatus.Paid or OrderStatus.Completed }) => DiscrepancyClass.RefundedAtGatewayOnly,
        _ => null,
    };

    private async Task<string> ActAsync(DiscrepancyClass kind, StatementLine line, OrderRecord? order, DurableTaskClient durable, CancellationToken ct)
    {
        switch (kind)
        {
            case DiscrepancyClass.PaidButUnknown or DiscrepancyClass.PaidButCancelled or DiscrepancyClass.OtherPaymentCaptured:
                // The same path a late webhook takes: a running saga gets the payment, a cancelled order
                // (or a payment that is not the order's own) a refund keyed by that payment id.
                var recovered = PaymentEvent.Recovered("statement", line.Provider ?? order!.Provider, line.PaymentId, line.OrderId, line.AmountMinor, line.Currency, line.OccurredAt);
                var result = await dispatch.ApplyAsync(durable, recovered, ct);
                if (result == DispatchResult.UnknownOrder)
                {
                    // The order's row exists but its saga is missing or has not started: a captured payment
                    // nothing online will settle, so an operator gets it rather than a silent "no effect".
                    return await ParkAsync(kind, line, order, ct);
                }
                PipelineMetrics.CallbacksRecovered.Add(1, new KeyValuePair<string, object?>("path", "statement"));
                return result switch
                {
                    DispatchResult.Raised => "payment_applied",
                    DispatchResult.LatePaymentRefund => "refund_started",
                    _ => "no_effect",
                };
            case DiscrepancyClass.RefundedAtGatewayOnly when order is { Status: OrderStatus.Completed }:
                // A refund made at the gateway (a dashboard, a merchant console) whose every notice was lost:
                // recorded and the order reversed as its notice would have. A line naming no refund the
                // ledger can match has nothing to record it under, and goes to an operator.
                var notice = new PaymentEvent(order.Provider, $"statement:{line.RefundId ?? line.PaymentId}", PaymentEventKind.Refunded, line.PaymentId,
                    order.OrderId, line.AmountMinor, line.Currency, line.OccurredAt, line.RefundId);
                return await refunds.ApplyNoticeAsync(notice, "statement", ct) switch
                {
                    RefundNoticeResult.Applied => "refund_applied",
                    RefundNoticeResult.External => "refund_recorded",
                    _ => await ParkAsync(kind, line, order, ct),
                };
            default:
                if (kind == DiscrepancyClass.ProviderMismatch)
                {
                    SagaMetrics.CountProviderMismatch(line.Provider, order?.Provider);
                }
                return await ParkAsync(kind, line, order, ct);
        }
    }

    private async Task<string> ParkAsync(DiscrepancyClass kind, StatementLine line, OrderRecord? order, CancellationToken ct)
    {
        await parked.ParkAsync(new ParkRequest(line.OrderId, "reconciliation_" + kind, $"Statement {line.OccurredAt:yyyy-MM-dd}: {kind}", Describe(kind, line, order)), ct);
        log.StatementDiscrepancyParked(kind, line.OrderId, $"statement {line.OccurredAt:yyyy-MM-dd}, payment {line.PaymentId}");
        return "parked";
    }

    private static string Describe(DiscrepancyClass kind, StatementLine line, OrderRecord? order) =>
        $"{kind}: {line.Provider ?? "gateway"} {line.Type} {line.AmountMinor} {line.Currency}{(line.Settlement is { } settled ? $", {settled}," : "")} for payment {line.PaymentId}; ledger "
        + (order is null ? "has no such order" : $"says {order.Provider} order {order.Status}, paid {order.PaidAmountMinor?.ToString() ?? "nothing"} {order.Currency}");
}
