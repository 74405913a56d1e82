using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Functions;
using Payments.Hosting;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;
using Payments.Storage;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>A pipeline whose Adyen connector knows two test HMAC keys (a rotation) and one merchant account, beside the simulator's own.</summary>
public sealed class AdyenFixture : PipelineFixture
{
    public const string MerchantAccount = "PaymentsTestMerchant";
    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    public static readonly byte[] PreviousKey = RandomNumberGenerator.GetBytes(32);

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("adyen", settings =>
    {
        settings["Connectors:Adyen:HmacKeys"] = $"{Convert.ToHexString(Key)} {Convert.ToHexString(PreviousKey)} {settings["Connectors:Adyen:HmacKeys"]}";
        settings["Connectors:Adyen:MerchantAccounts"] = $"{MerchantAccount} {settings["Connectors:Adyen:MerchantAccounts"]}";
    });
}

/// <summary>
/// Adyen's standard webhooks: a batch whose items are verified and stored one by one. When an item
/// fails its HMAC the batch is answered 401 (no <c>[accepted]</c>), so Adyen delivers the batch again:
/// the items already stored come back as duplicates, the bad one is refused again, nothing is lost
/// while a key rotation is half done.
/// </summary>
public sealed class AdyenIntakeTests(AdyenFixture fixture) : IClassFixture<AdyenFixture>
{
    private PipelineHost Pipeline => fixture.Pipeline;

    [Fact]
    public async Task A_batch_of_two_items_stores_each_on_its_own_and_an_authorisation_completes_its_order()
    {
        await Pipeline.Service<Ledger.StockLedger>().SetLevelAsync("sku-adyen-1", 1);
        var order = new OrderRequest("adyen-order-1", "cust-adyen-1", [new OrderLine("sku-adyen-1", 1)], 1130, "EUR", "adyen", "ADYPSP0000000001");
        using (var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        using var reply = await PostAsync(
            Item("ADYPSP0000000001", "AUTHORISATION", "adyen-order-1", 1130),
            Item("ADYPSP0000000099", "CAPTURE", "adyen-order-1", 1130, originalReference: "ADYPSP0000000001", key: AdyenFixture.PreviousKey));

        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        Assert.Equal("[accepted]", await reply.Content.ReadAsStringAsync());
        var authorisation = Assert.Single(await RowsAsync("ADYPSP0000000001:AUTHORISATION:true"));
        Assert.Equal((PaymentEventKind.Succeeded, "ADYPSP0000000001", 1130L), (authorisation.Event!.Kind, authorisation.Event.PaymentId, authorisation.Event.AmountMinor));
        var capture = Assert.Single(await RowsAsync("ADYPSP0000000099:CAPTURE:true"));
        Assert.Equal((InboxState.Ignored, "CAPTURE"), (capture.State, capture.EventType));
        // Each row holds its own item, still verifiable on its own.
        Assert.Contains("\"ADYPSP0000000099\"", Encoding.UTF8.GetString(capture.Body));
        Assert.DoesNotContain("AUTHORISATION", Encoding.UTF8.GetString(capture.Body));
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task An_adyen_order_completes_from_the_simulator_s_signed_batch()
    {
        await Pipeline.Service<Ledger.StockLedger>().SetLevelAsync("sku-adyen-sim", 1);
        var order = new OrderRequest("adyen-sim", "cust-adyen-sim", [new OrderLine("sku-adyen-sim", 1)], 4200, "EUR", "adyen", "ADYSIM0000000001");
        await Pipeline.CreatePaymentAsync(order);
        using (var registered = await Pipeline.Http.PostAsJsonAsync("api/orders", order))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        }
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        await Pipeline.Gateway.PayAsync(order.PaymentId);

        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
        Assert.Single(await RowsAsync("ADYSIM0000000001:AUTHORISATION:true"));
    }

    [Fact]
    public async Task An_item_with_a_bad_hmac_is_refused_alone_and_the_batch_is_answered_401_so_adyen_retries_it()
    {
        var good = Item("ADYPSP0000000002", "AUTHORISATION", "adyen-order-2", 500);
        var forged = Item("ADYPSP0000000003", "AUTHORISATION", "adyen-order-3", 500000, key: RandomNumberGenerator.GetBytes(32));

        using var first = await PostAsync(good, forged);
        using var retry = await PostAsync(good, forged);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (first.StatusCode, retry.StatusCode));
        Assert.NotEqual("[accepted]", await first.Content.ReadAsStringAsync());
        Assert.Single(await RowsAsync("ADYPSP0000000002:AUTHORISATION:true"));
        Assert.Empty(await RowsAsync("ADYPSP0000000003:AUTHORISATION:true"));
    }

    [Fact]
    public async Task A_duplicate_item_is_accepted_and_absorbed()
    {
        var item = Item("ADYPSP0000000004", "REFUND", "adyen-order-4", 700, originalReference: "ADYPSP0000000005");

        using var first = await PostAsync(item);
        using var again = await PostAsync(item, item);

        Assert.Equal(("[accepted]", "[accepted]"), (await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync()));
        var row = Assert.Single(await RowsAsync("ADYPSP0000000004:REFUND:true"));
        Assert.Equal((PaymentEventKind.Refunded, "ADYPSP0000000005", "adyen-order-4"), (row.Event!.Kind, row.Event.PaymentId, row.Event.OrderId));
    }

    [Fact]
    public async Task An_item_for_another_merchant_account_or_a_body_that_is_no_batch_is_refused_with_nothing_stored()
    {
        using var otherAccount = await PostAsync(Item("ADYPSP0000000006", "AUTHORISATION", "adyen-order-6", 100, merchantAccount: "SomeoneElse"));
        using var notABatch = await Pipeline.Http.PostAsync("api/callbacks/adyen", new StringContent("""{"pspReference":"ADYPSP0000000007"}""", Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized), (otherAccount.StatusCode, notABatch.StatusCode));
        Assert.Empty(await RowsAsync("ADYPSP0000000006:AUTHORISATION:true"));
        Assert.Empty(await RowsAsync("ADYPSP0000000007:AUTHORISATION:true"));
    }

    [Fact]
    public async Task A_batch_meeting_a_storage_outage_is_answered_503_so_adyen_retries_it()
    {
        var settings = await PipelineHost.SettingsAsync("adyenoutage", FreePort.Next());
        settings["PaymentsStorage:ConnectionString"] = Azurite.Unreachable();
        settings["Gateway:BaseUrl"] = "http://127.0.0.1:9";
        settings["Connectors:Adyen:HmacKeys"] = Convert.ToHexString(AdyenFixture.Key);
        settings["Connectors:Adyen:MerchantAccounts"] = AdyenFixture.MerchantAccount;
        await using var services = new ServiceCollection().AddLogging().AddPaymentsCore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
        var function = ActivatorUtilities.CreateInstance<CallbackFunctions>(services);
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new
        {
            live = "false",
            notificationItems = new[] { Item("ADYPSP0000000008", "AUTHORISATION", "o8", 100), Item("ADYPSP0000000009", "AUTHORISATION", "o9", 100) }
                .Select(i => new { NotificationRequestItem = i }),
        }));
        http.Response.Body = new MemoryStream();

        var result = await function.Callback(http.Request, "adyen", Pipeline.Durable, CancellationToken.None);
        await result.ExecuteResultAsync(new ActionContext(http, new RouteData(), new ActionDescriptor()));

        Assert.Equal(503, http.Response.StatusCode);
    }

    /// <summary>
    /// A correctly signed AUTHORISATION naming another gateway's order and payment is accepted (Adyen
    /// must not redeliver it) and parked, never raised: one unit short, it would have refunded the order.
    /// </summary>
    [Fact]
    public async Task An_authorisation_naming_another_gateway_s_order_is_accepted_parked_and_never_applied()
    {
        await Pipeline.Service<Ledger.StockLedger>().SetLevelAsync("sku-adyen-mm", 5);
        var order = await Pipeline.RegisterOrderAsync("adyen-mm-standard", amount: 1130, sku: "sku-adyen-mm");
        await Pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");

        using (var reply = await PostAsync(Item(order.PaymentId, "AUTHORISATION", order.OrderId, 1129)))
        {
            Assert.Equal("[accepted]", await reply.Content.ReadAsStringAsync());
        }

        var parked = await Pipeline.Service<ParkedItems>().GetAsync(ParkedKinds.ProviderMismatch, $"adyen:{order.PaymentId}:AUTHORISATION:true");
        Assert.Equal(order.OrderId, parked?.OrderId);
        using (var paid = await Pipeline.Http.SendAsync(TestWebhooks.Standard(Pipeline.Host.BaseAddress, "msg_adyen_mm_paid",
            TestWebhooks.StandardPayment("payment.succeeded", order.PaymentId, order.OrderId, order.AmountMinor))))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        Assert.Equal(OrderStatus.Completed, (await Pipeline.WaitForOutcomeAsync(order.OrderId)).Status);
    }

    private async Task<List<InboxEntry>> RowsAsync(string eventId) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(e => e.Provider == "adyen" && e.EventId == eventId).ToList();

    private Task<HttpResponseMessage> PostAsync(params object[] items) =>
        Pipeline.Http.PostAsync("api/callbacks/adyen", new StringContent(
            JsonSerializer.Serialize(new { live = "false", notificationItems = items.Select(i => new { NotificationRequestItem = i }) }), Encoding.UTF8, "application/json"));

    /// <summary>An item signed as Adyen documents it, written here independently of the connector.</summary>
    private static Dictionary<string, object> Item(string psp, string eventCode, string merchantReference, long value,
        string originalReference = "", byte[]? key = null, string merchantAccount = AdyenFixture.MerchantAccount)
    {
        var signed = $"{psp}:{originalReference}:{merchantAccount}:{merchantReference}:{value}:EUR:{eventCode}:true";
        var item = new Dictionary<string, object>
        {
            ["additionalData"] = new { hmacSignature = Convert.ToBase64String(HMACSHA256.HashData(key ?? AdyenFixture.Key, Encoding.UTF8.GetBytes(signed))) },
            ["amount"] = new { value, currency = "EUR" },
            ["eventCode"] = eventCode,
            ["eventDate"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"),
            ["merchantAccountCode"] = merchantAccount,
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
