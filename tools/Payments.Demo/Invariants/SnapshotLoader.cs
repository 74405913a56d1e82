using System.Collections.Concurrent;
using Azure.Data.Tables;
using GatewaySimulator;
using Microsoft.DurableTask.Client;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;
using Payments.Storage;

namespace Payments.Demo.Invariants;

/// <summary>
/// Reads a <see cref="LedgerSnapshot"/> from where the truth lives: the pipeline's tables (through
/// the core's own stores), the gateway (its payments and its settlement statements, the same
/// statements the reconciler reads) and the Durable backend (every saga and refund instance).
/// </summary>
public sealed class SnapshotLoader(PaymentsStorage storage, IPaymentGateway gateway, DurableTaskClient durable)
{
    private const int ParallelLookups = 8;

    /// <param name="gatewayPayments">The gateway's payments, e.g. <see cref="SimulatorServer.Payments"/>.</param>
    /// <param name="initialStock">What each sku was stocked with before the run.</param>
    /// <param name="since">The run's start: statements are read for every UTC day from then to now.</param>
    /// <param name="gatewayRefunds">The gateway's refunds, e.g. <see cref="SimulatorServer.RefundsOf"/> of every payment.</param>
    /// <param name="gatewayDisputes">The gateway's disputes, e.g. <see cref="SimulatorServer.Disputes"/>.</param>
    public async Task<LedgerSnapshot> LoadAsync(
        IReadOnlyList<PaymentSnapshot> gatewayPayments,
        IReadOnlyDictionary<string, long> initialStock,
        DateTimeOffset since,
        CancellationToken ct = default,
        IReadOnlyList<RefundSnapshot>? gatewayRefunds = null,
        IReadOnlyList<DisputeSnapshot>? gatewayDisputes = null)
    {
        var clock = TimeProvider.System;
        var orders = await ToListAsync(new OrderBook(storage, clock).ListAsync(ct: ct));
        var stock = new StockLedger(storage);
        var points = new PointsLedger(storage);
        var inbox = new InboxStore(storage, clock, TimeSpan.FromDays(7), providers: []); // reads every row; no index range needed

        var orderIds = orders.Select(o => o.OrderId).Union(gatewayPayments.Select(p => p.OrderId)).ToArray();
        var money = await ToListAsync(new MoneyLedger(storage, clock).ListAllAsync(ct));
        var refundIds = gatewayPayments.Where(p => p.Status == PaymentStatus.Paid).Select(p => LatePaymentRefund.InstanceId(p.PaymentId))
            .Concat(money.Where(m => m.RequestKey is not null).Select(m => AfterSalesRefunds.InstanceId(m.OrderId, m.RequestKey!)))
            .Distinct().ToArray();
        var (orchestrations, lines) = await LoadOrchestrationsAsync(orderIds, refundIds, ct);

        return new LedgerSnapshot
        {
            Orders = orders,
            OrderLines = lines,
            GatewayPayments = gatewayPayments,
            Statement = await LoadStatementsAsync(since, ct),
            InitialStock = initialStock,
            StockLevels = await ToListAsync(stock.ListLevelsAsync(ct)),
            Reservations = (await ToListAsync(stock.ListReservationsAsync(ct))).Select(r => new StockReservation(r.Sku, r.OrderId, r.State, r.Quantity)).ToArray(),
            Grants = (await ToListAsync(points.ListGrantsAsync(ct))).Select(g => new PointsGrant(g.CustomerId, g.OrderId, g.Points)).ToArray(),
            Reversals = (await ToListAsync(points.ListReversalsAsync(ct))).Select(r => new PointsReversalRow(r.CustomerId, r.OrderId, r.Points, r.Cause)).ToArray(),
            Money = money,
            GatewayRefunds = gatewayRefunds ?? [],
            GatewayDisputes = gatewayDisputes ?? [],
            PointsBalances = await LoadBalancesAsync(ct),
            Orchestrations = orchestrations,
            Inbox = (await ToListAsync(inbox.ListAllAsync(ct))).Select(e => new InboxRow(e.Provider, e.EventId, e.State, e.Event?.Kind, e.Event?.PaymentId, e.Event?.OrderId)).ToArray(),
            Parked = await ToListAsync(new ParkedItems(storage, clock).ListAsync(ct)),
            DeadLetters = await ToListAsync(new DeadLetterStore(storage, clock).ListAsync(ct)),
        };
    }

    private async Task<IReadOnlyList<StatementLine>> LoadStatementsAsync(DateTimeOffset since, CancellationToken ct)
    {
        var lines = new List<StatementLine>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        for (var day = DateOnly.FromDateTime(since.UtcDateTime); day <= today; day = day.AddDays(1))
        {
            await foreach (var entry in gateway.GetStatementAsync(day, ct))
            {
                if (entry.Line is { } line)
                {
                    lines.Add(line);
                }
            }
        }
        return lines;
    }

    /// <summary>The points ledger has no "list balances" query (the pipeline never needs one); read the balance rows directly.</summary>
    private async Task<IReadOnlyDictionary<string, long>> LoadBalancesAsync(CancellationToken ct)
    {
        var table = await storage.TableAsync(TableNames.Points, ct);
        var balances = new Dictionary<string, long>();
        await foreach (var row in table.QueryAsync<TableEntity>("RowKey eq 'balance'", cancellationToken: ct))
        {
            balances[row.PartitionKey] = row.GetInt64("Points") ?? 0;
        }
        return balances;
    }

    private async Task<(IReadOnlyList<OrchestrationRecord>, IReadOnlyDictionary<string, IReadOnlyList<OrderLine>>)> LoadOrchestrationsAsync(
        IReadOnlyList<string> orderIds, IReadOnlyList<string> refundInstanceIds, CancellationToken ct)
    {
        var records = new ConcurrentBag<OrchestrationRecord>();
        var lines = new ConcurrentDictionary<string, IReadOnlyList<OrderLine>>();
        var lookups = orderIds.Select(id => (InstanceId: OrderSaga.InstanceId(id), OrderId: (string?)id))
            .Concat(refundInstanceIds.Select(id => (InstanceId: id, OrderId: (string?)null)));
        await Parallel.ForEachAsync(lookups, new ParallelOptions { MaxDegreeOfParallelism = ParallelLookups, CancellationToken = ct }, async (lookup, token) =>
        {
            var instance = await durable.GetInstanceAsync(lookup.InstanceId, getInputsAndOutputs: true, token);
            if (instance is null)
            {
                return;
            }
            var outcome = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<SagaOutcome>() : null;
            records.Add(new OrchestrationRecord(instance.InstanceId, instance.RuntimeStatus, outcome, instance.LastUpdatedAt));
            if (lookup.OrderId is { } orderId && instance.ReadInputAs<OrderSagaInput>() is { } input)
            {
                lines[orderId] = input.Order.Lines;
            }
        });
        return ([.. records.OrderBy(r => r.InstanceId, StringComparer.Ordinal)], lines);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }
        return list;
    }
}
