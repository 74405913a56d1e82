using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>An Adyen merchant account that captures later: <c>Connectors:Adyen:CaptureMode</c> Delayed, and a test HMAC key beside the simulator's.</summary>
public sealed class AdyenDelayedCaptureFixture : PipelineFixture
{
    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("adyendelayed", settings =>
    {
        settings["Connectors:Adyen:CaptureMode"] = "Delayed";
        settings["Connectors:Adyen:HmacKeys"] = $"{Convert.ToHexString(Key)} {settings["Connectors:Adyen:HmacKeys"]}";
    });
}

/// <summary>
/// With delayed capture an AUTHORISATION is not money: it completes nothing, the CAPTURE does; a capture
/// that failed is parked for an operator; a cancellation of the uncaptured authorisation cancels the
/// order. (Immediate capture, the default, is <see cref="AdyenIntakeTests"/>: the authorisation completes
/// the order and a CAPTURE is ignored.)
/// </summary>
public sealed class AdyenCaptureModeTests(AdyenDelayedCaptureFixture fixture) : IClassFixture<AdyenDelayedCaptureFixture>
{
    private const string Merchant = "SimulatorMerchant";

    private PipelineHost Pipeline => fixture.Pipeline;

    private static readonly Dictionary<string, long> Stocked = new() { ["sku-acm1"] = 2, ["sku-acm2"] = 2, ["sku-acm3"] = 2 };

    [Fact]
    public async Task With_delayed_capture_an_authorisation_completes_nothing_and_the_capture_completes_the_order()
    {
        var order = await AwaitingOrderAsync("acm1");

        // The simulator's AUTHORISATION: stored as an authorisation, ignored.
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        await Pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        var authorisation = Assert.Single(await RowsAsync($"{order.PaymentId}:AUTHORISATION:true"));
        Assert.Equal((InboxState.Ignored, "AUTHORISATION"), (authorisation.State, authorisation.EventType));
        Assert.Equal(OrderStatus.AwaitingPayment, (await Pipeline.Service<OrderBook>().GetAsync(order.OrderId))!.Status);

        using (var reply = await PostAsync(Item("ACMCAPTURE000001", "CAPTURE", order.OrderId, 2500, order.PaymentId)))
        {
            Assert.Equal("[accepted]", await reply.Content.ReadAsStringAsync());
        }

        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Equal(2500, Assert.Single(await Pipeline.Service<MoneyLedger>().ListAsync(order.OrderId), m => m.Kind == MoneyKinds.Capture).AmountMinor);
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task With_delayed_capture_a_capture_that_failed_after_it_succeeded_is_parked_for_an_operator()
    {
        var order = await AwaitingOrderAsync("acm2");
        await Pipeline.Gateway.PayAsync(order.PaymentId);
        using (await PostAsync(Item("ACMCAPTURE000002", "CAPTURE", order.OrderId, 2500, order.PaymentId)))
        {
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);

        using (var reply = await PostAsync(Item("ACMCAPTURE000002", "CAPTURE_FAILED", order.OrderId, 2500, order.PaymentId)))
        {
            Assert.Equal("[accepted]", await reply.Content.ReadAsStringAsync());
        }

        var row = Assert.Single(await RowsAsync("ACMCAPTURE000002:CAPTURE_FAILED:true"));
        Assert.Equal(InboxState.Parked, row.State);
        var letter = await Pipeline.Service<DeadLetterStore>().GetAsync("intake-adyen-ACMCAPTURE000002:CAPTURE_FAILED:true");
        Assert.Equal((order.OrderId, LetterStatus.Parked), (letter?.OrderId, letter?.Status));
        Assert.Contains("CAPTURE_FAILED", letter!.Description, StringComparison.Ordinal);
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    [Fact]
    public async Task A_cancellation_of_the_uncaptured_authorisation_cancels_the_order()
    {
        var order = await AwaitingOrderAsync("acm3");
        using (await PostAsync(Item(order.PaymentId, "AUTHORISATION", order.OrderId, 2500)))
        {
        }

        using (var reply = await PostAsync(Item("ACMCANCEL0000003", "CANCELLATION", order.OrderId, 2500, order.PaymentId)))
        {
            Assert.Equal("[accepted]", await reply.Content.ReadAsStringAsync());
        }

        Assert.Equal(new SagaOutcome(OrderStatus.Cancelled, "payment_closed"), await Pipeline.WaitForOutcomeAsync(order.OrderId));
        Assert.Empty(await Pipeline.Service<MoneyLedger>().ListAsync(order.OrderId));
        await MoneyInvariants.AssertAllHoldAsync(Pipeline, Stocked);
    }

    private async Task<OrderRequest> AwaitingOrderAsync(string orderId)
    {
        var sku = "sku-" + orderId;
        await Pipeline.Service<StockLedger>().SetLevelAsync(sku, Stocked[sku]);
        var order = await Pipeline.RegisterOrderAsync(orderId, sku: sku, provider: "adyen");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        return order;
    }

    private async Task<List<InboxEntry>> RowsAsync(string eventId) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(e => e.Provider == "adyen" && e.EventId == eventId).ToList();

    private Task<HttpResponseMessage> PostAsync(Dictionary<string, object> item) =>
        Pipeline.Http.PostAsync("api/callbacks/adyen", new StringContent(
            JsonSerializer.Serialize(new { live = "false", notificationItems = new[] { new { NotificationRequestItem = item } } }), Encoding.UTF8, "application/json"));

    /// <summary>An item signed as Adyen documents it, written here independently of the connector.</summary>
    private static Dictionary<string, object> Item(string psp, string eventCode, string merchantReference, long value, string originalReference = "")
    {
        var signed = $"{psp}:{originalReference}:{Merchant}:{merchantReference}:{value}:EUR:{eventCode}:true";
        var item = new Dictionary<string, object>
        {
            ["additionalData"] = new { hmacSignature = Convert.ToBase64String(HMACSHA256.HashData(AdyenDelayedCaptureFixture.Key, Encoding.UTF8.GetBytes(signed))) },
            ["amount"] = new { value, currency = "EUR" },
            ["eventCode"] = eventCode,
            ["eventDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"),
            ["merchantAccountCode"] = Merchant,
            ["merchantReference"] = merchantReference,
            ["pspReference"] = psp,
            ["success"] = "true",
        };
        if (originalReference.Length > 0)
        {
            item["originalReference"] = originalReference;
        }
        return item;
    }
}
