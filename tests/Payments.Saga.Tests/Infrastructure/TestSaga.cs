using System.Runtime.CompilerServices;
using Payments.Contracts;

namespace Payments.Saga.Tests.Infrastructure;

/// <summary>Starts the real orchestrators for a test: one order named after the test, its script, small timings.</summary>
public static class TestSaga
{
    /// <summary>
    /// Timings that keep the run in milliseconds: a window no test waits out unless it means to, quick
    /// retries, and a points budget unlike the steps' (3 attempts, 40 ms apart at first, against 2 and
    /// 10 ms), so a test can tell which policy a call ran under; a storage outage ridden out for a
    /// second (waits of 10, 20 … 320 ms: at most <see cref="OutageAttempts"/> tries).
    /// </summary>
    public static readonly SagaSettings Settings = new(
        PaymentWindow: TimeSpan.FromSeconds(30),
        PointsMaxAttempts: 3,
        PointsBackoff: TimeSpan.FromMilliseconds(40),
        ActivityMaxAttempts: 2,
        ActivityBackoff: TimeSpan.FromMilliseconds(10),
        PointsPerMajorUnit: 1,
        StorageOutage: TimeSpan.FromSeconds(1));

    /// <summary>The most tries a step riding out a storage outage gets under <see cref="Settings"/>.</summary>
    public static int OutageAttempts => Settings.OutageRetry().Retry!.Policy!.MaxNumberOfAttempts;

    /// <summary>A payment window that closes while the test waits, with nothing raised.</summary>
    public static readonly SagaSettings ShortWindow = Settings with { PaymentWindow = TimeSpan.FromMilliseconds(300) };

    /// <summary>A window long enough for a test to raise a decline (and maybe a success) inside it, short enough to wait out.</summary>
    public static readonly SagaSettings DeclineWindow = Settings with { PaymentWindow = TimeSpan.FromSeconds(1.5) };

    private static int orders;

    public static OrderRequest Order(string test, long amountMinor = 2500, string currency = "EUR")
    {
        var orderId = $"{test}-{Interlocked.Increment(ref orders)}";
        return new OrderRequest(orderId, "cust-" + orderId, [new OrderLine("sku-a", 2), new OrderLine("sku-b", 1)], amountMinor, currency, "standard", "pay-" + orderId);
    }

    public static async Task<SagaRun> StartAsync(
        Action<SagaScript>? script = null, SagaSettings? settings = null, long amountMinor = 2500, [CallerMemberName] string test = "", string currency = "EUR",
        string? version = SagaVersions.Current)
    {
        var scripted = new SagaScript(Order(test, amountMinor, currency));
        script?.Invoke(scripted);
        var engine = await SagaEngine.SharedAsync();
        return await engine.StartOrderSagaAsync(scripted, settings ?? Settings, version);
    }

    /// <summary>Started, past its stock reservation, and waiting for the payment's callback.</summary>
    public static async Task<SagaRun> AwaitingPaymentAsync(
        Action<SagaScript>? script = null, SagaSettings? settings = null, long amountMinor = 2500, [CallerMemberName] string test = "", string currency = "EUR",
        string? version = SagaVersions.Current)
    {
        var saga = await StartAsync(script, settings, amountMinor, test, currency, version);
        await saga.WaitForStepAsync("AwaitingPayment");
        return saga;
    }

    public static async Task<SagaRun> LatePaymentRefundAsync(
        Action<SagaScript>? script = null, string reason = "late_payment", bool settleCrashedSaga = false, [CallerMemberName] string test = "")
    {
        var order = Order(test);
        var scripted = new SagaScript(order);
        script?.Invoke(scripted);
        var refund = new RefundRequest(order.OrderId, order.Provider, order.PaymentId, order.AmountMinor, order.Currency, reason);
        var engine = await SagaEngine.SharedAsync();
        return await engine.StartLatePaymentRefundAsync(scripted, refund, Settings, settleCrashedSaga);
    }
}
