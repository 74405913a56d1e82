using System.Diagnostics;
using GatewaySimulator;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Demo.Driving;

/// <summary>
/// Waits until the pipeline has nothing left to do: every order registered and terminal (or paid
/// with its commit parked for an operator), the gateway has no webhook left to deliver, every stored
/// callback applied (or parked for an operator), every saga and refund orchestration finished and
/// every refund final. Fails loudly on timeout.
/// </summary>
public sealed class Quiescence(PipelineAccess access)
{
    public async Task<PipelineState> WaitAsync(
        int expectedOrders,
        Func<bool> driverDone,
        TimeSpan timeout,
        TimeSpan interval,
        Action<PipelineState>? onTick = null,
        CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        PipelineState? last = null;
        while (true)
        {
            try
            {
                last = await LookAsync(expectedOrders, driverDone(), clock.Elapsed, ct);
                onTick?.Invoke(last);
                if (last.Quiet)
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException && !ct.IsCancellationRequested)
            {
                // Storage or the host may be briefly unavailable (a chaos run kills the host); look again.
                onTick?.Invoke(last ?? new PipelineState(clock.Elapsed, 0, new Dictionary<OrderStatus, int>(), 0, null, false));
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The pipeline did not go quiet within {timeout.TotalSeconds:F0} s. Last look: {last}");
            }
            await Task.Delay(interval, ct);
        }
    }

    private async Task<PipelineState> LookAsync(int expectedOrders, bool driverDone, TimeSpan elapsed, CancellationToken ct)
    {
        var orders = new List<OrderRecord>();
        await foreach (var order in new OrderBook(access.Storage, TimeProvider.System).ListAsync(ct: ct))
        {
            orders.Add(order);
        }
        var byStatus = orders.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        var pending = access.Gateway.Stats.DeliveriesPending;
        var commitParked = orders.Any(o => o.Status == OrderStatus.Paid) ? await CommitParkedAsync(ct) : [];
        var ordersDone = driverDone && orders.Count >= expectedOrders && pending == 0
            && orders.All(o => Invariants.InvariantChecker.IsTerminal(o.Status) || o.Status == OrderStatus.Paid && commitParked.Contains(o.OrderId));
        if (!ordersDone)
        {
            return new PipelineState(elapsed, orders.Count, byStatus, pending, null, false);
        }
        var unsettled = await CountUnsettledInboxAsync(ct) + await CountRunningAsync(orders, ct) + await CountOpenRefundsAsync(ct);
        return new PipelineState(elapsed, orders.Count, byStatus, pending, unsettled, unsettled == 0);
    }

    /// <summary>Paid orders whose stock commit got no answer for the saga's outage bound: left Paid and parked for an operator, at rest.</summary>
    private async Task<HashSet<string>> CommitParkedAsync(CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in new ParkedItems(access.Storage, TimeProvider.System).ListAsync(ParkedKinds.CommitFailed, DateTimeOffset.UnixEpoch, ct))
        {
            ids.Add(item.OrderId);
        }
        return ids;
    }

    /// <summary>Refunds not final yet: the refund tracker still follows them, so the money is still moving.</summary>
    private async Task<int> CountOpenRefundsAsync(CancellationToken ct)
    {
        var open = 0;
        await foreach (var _ in new MoneyLedger(access.Storage, TimeProvider.System).ListOpenRefundsAsync(DateTimeOffset.MaxValue, ct))
        {
            open++;
        }
        return open;
    }

    /// <summary>Callbacks stored but not settled: Received (the relay has yet to dispatch), Raised (the relay has yet to confirm), or Queued on the lane and not parked.</summary>
    private async Task<int> CountUnsettledInboxAsync(CancellationToken ct)
    {
        var parked = new HashSet<(string?, string?)>();
        await foreach (var letter in new DeadLetterStore(access.Storage, TimeProvider.System).ListAsync(ct))
        {
            if (letter.Status == LetterStatus.Parked)
            {
                parked.Add((letter.Provider, letter.EventId));
            }
        }
        var count = 0;
        await foreach (var row in new InboxStore(access.Storage, TimeProvider.System, TimeSpan.FromDays(7), providers: []).ListAllAsync(ct))
        {
            if (row.State is InboxState.Received or InboxState.Raised || (row.State == InboxState.Queued && !parked.Contains((row.Provider, row.EventId))))
            {
                count++;
            }
        }
        return count;
    }

    private async Task<int> CountRunningAsync(IReadOnlyList<OrderRecord> orders, CancellationToken ct)
    {
        var ids = orders.Select(o => OrderSaga.InstanceId(o.OrderId))
            .Concat(access.Gateway.Payments.Where(p => p.Status == PaymentStatus.Paid).Select(p => LatePaymentRefund.InstanceId(p.PaymentId)));
        var running = 0;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (id, token) =>
        {
            if (await access.Durable.GetInstanceAsync(id, token) is { IsCompleted: false })
            {
                Interlocked.Increment(ref running);
            }
        });
        // Every other refund still running: an operator's retries (refund-op-…) and refunds after the sale (aftersales-…).
        var query = new Microsoft.DurableTask.Client.OrchestrationQuery
        {
            Statuses = [Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Running, Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Pending],
        };
        await foreach (var instance in access.Durable.GetAllInstancesAsync(query).WithCancellation(ct))
        {
            // The prefixes of LatePaymentRefund.OperatorRetryInstanceId and AfterSalesRefunds.InstanceId.
            if (instance.InstanceId.StartsWith("refund-op-", StringComparison.Ordinal) || instance.InstanceId.StartsWith("aftersales-", StringComparison.Ordinal))
            {
                running++;
            }
        }
        return running;
    }
}
