using System.Net;
using System.Net.Http.Json;
using Microsoft.Azure.Functions.Worker;
using Payments.Contracts;
using Payments.Functions;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests.Console;

/// <summary>
/// A pipeline whose gateway loses every webhook (the tests post the signed callbacks themselves),
/// whose reconciler queries the gateway after a second, and whose lane dead-letters after two attempts.
/// </summary>
public sealed class ConsoleFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("console", settings =>
    {
        settings["Reconciler:ActiveQueryAfterSeconds"] = "1";
        settings["Lane:MaxAttempts"] = "2";
        settings["Faults:IntakeDispatchFailureRate"] = "0";
    }, gateway => gateway with { LossRate = 1.0 });
}

/// <summary>The situations an operator meets, built through the pipeline's real paths (intake, lane, reconciler).</summary>
public static class ConsoleScenarios
{
    /// <summary>
    /// "I paid and nothing happened": the gateway's webhook is lost, the reconciler's active query
    /// finds the payment and hands it to the saga, then the gateway's redelivery arrives, twice.
    /// </summary>
    public static async Task<OrderRequest> LostThenRecoveredAsync(PipelineHost pipeline, string orderId)
    {
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-" + orderId, 2);
        var order = await pipeline.RegisterOrderAsync(orderId, amount: 2500, sku: "sku-" + orderId);
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId); // its webhook is lost
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past Reconciler:ActiveQueryAfterSeconds
        await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);
        await pipeline.WaitForOutcomeAsync(order.OrderId);
        for (var delivery = 0; delivery < 2; delivery++)
        {
            using var reply = await PostSuccessAsync(pipeline, order, "evt_" + orderId);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        }
        return order;
    }

    /// <summary>
    /// Callbacks for orders not registered yet: each goes on the retry lane, is dead-lettered after
    /// its attempts and parked (<c>unknown_order</c>). The orders are then registered (the fault is
    /// gone), so a re-drive applies them. Returns the parked letters' ids by order id.
    /// </summary>
    public static async Task<Dictionary<string, string>> ParkedUnknownOrdersAsync(PipelineHost pipeline, params string[] orderIds)
    {
        var orders = new List<OrderRequest>();
        foreach (var orderId in orderIds)
        {
            await pipeline.Service<StockLedger>().SetLevelAsync("sku-" + orderId, 2);
            var order = new OrderRequest(orderId, "cust-" + orderId, [new OrderLine("sku-" + orderId, 1)], 1500, "EUR", "standard", "pay-" + orderId);
            await pipeline.CreatePaymentAsync(order);
            using var reply = await PostSuccessAsync(pipeline, order, "evt_" + orderId);
            Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
            orders.Add(order);
        }
        var lane = pipeline.Function<RecoveryFunctions>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var letters = pipeline.Service<DeadLetterStore>();
        Dictionary<string, string> parked = [];
        while (parked.Count < orderIds.Length)
        {
            Assert.True(DateTime.UtcNow < deadline, "The callbacks were never dead-lettered and parked.");
            await lane.DrainRetryLane(new TimerInfo(), pipeline.Durable, CancellationToken.None);
            await lane.DrainDeadLetters(new TimerInfo(), pipeline.Durable, CancellationToken.None);
            parked = (await Collect.AllAsync(letters.ListAsync()))
                .Where(l => l.OrderId is { } id && orderIds.Contains(id) && l.Status == LetterStatus.Parked)
                .ToDictionary(l => l.OrderId!, l => l.Id);
            await Task.Delay(300);
        }
        foreach (var order in orders)
        {
            (await pipeline.Http.PostAsJsonAsync("api/orders", order)).EnsureSuccessStatusCode();
            await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        }
        return parked;
    }

    /// <summary>A letter that names no stored callback (the lane message outlived its inbox row): only a discard ends it.</summary>
    public static async Task<string> ParkedWithoutCallbackAsync(PipelineHost pipeline, string orderId)
    {
        var letter = new ParkedLetter($"gone-{orderId}", "standard", null, orderId, "callback_missing", "No stored payment event.", 2,
            LetterStatus.Parked, DateTimeOffset.UtcNow, Resolution: null, ResolvedAt: null, RawBody: null);
        Assert.True(await pipeline.Service<DeadLetterStore>().ParkAsync(letter));
        return letter.Id;
    }

    public static async Task<HttpResponseMessage> PostSuccessAsync(PipelineHost pipeline, OrderRequest order, string eventId) =>
        await pipeline.Http.SendAsync(TestWebhooks.Standard(pipeline.Host.BaseAddress, eventId,
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor)));
}
