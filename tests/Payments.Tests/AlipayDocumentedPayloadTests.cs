using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.Alipay;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 26, item 11: Alipay's documented payloads (<c>Fixtures/Providers/alipay</c>, sources in its README)
/// through the connector's own code: the notification through <see cref="AlipayProvider"/> (signed by
/// <see cref="TestAlipay"/>), the gateway's answers through <see cref="AlipayGateway"/> (each answer's
/// response object signed here with the test's Alipay key, as Alipay signs it) and the bill zip through
/// <see cref="AlipayBill"/>, served by a canned open-platform gateway.
/// </summary>
public sealed class AlipayDocumentedPayloadTests : IDisposable
{
    private const string Provider = "alipay";
    private const string AppId = "2016092000554611";
    private const string SellerId = "2088102169232671";
    private const string BillUrl = "http://dwbillcenter.alipay.com/downloadBillFile.resource";

    private readonly RSA alipay = RSA.Create(2048);
    private readonly RSA app = RSA.Create(2048);
    private readonly CannedGateway api;

    public AlipayDocumentedPayloadTests()
    {
        api = new CannedGateway((request, body) => request.RequestUri!.GetLeftPart(UriPartial.Path) switch
        {
            BillUrl => CannedGateway.Bytes(BillZip()),
            _ => Answer(Method(body)),
        });
    }

    private AlipayGateway Gateway() => new(() => new HttpClient(api, disposeHandler: false), new AlipayOptions
    {
        AppId = AppId,
        AppPrivateKey = Convert.ToBase64String(app.ExportPkcs8PrivateKey()),
        AlipayPublicKeys = Convert.ToBase64String(alipay.ExportSubjectPublicKeyInfo()),
        GatewayUrl = "https://openapi.alipay.com/gateway.do",
    }, TimeProvider.System);

    private static string Method(string form) =>
        form.Split('&').Select(p => p.Split('=', 2)).Where(p => p[0] == "method").Select(p => Uri.UnescapeDataString(p[1])).Single();

    /// <summary>
    /// The documented answer for a method, with Alipay's signature beside its response object: RSA2 over
    /// the object's exact text as it stands in the body (Alipay's SDKs verify the text they cut out).
    /// </summary>
    private HttpResponseMessage Answer(string method)
    {
        var name = method.Replace('.', '_') + "_response";
        using var document = JsonDocument.Parse(ProviderFixtures.Text(Provider, method + ".json"));
        var content = document.RootElement.GetProperty(name).GetRawText();
        var sign = TestAlipay.Sign(alipay, content);
        return CannedGateway.Json($$"""{"{{name}}":{{content}},"sign":"{{sign}}"}""");
    }

    /// <summary>The bill as Alipay serves it: a zip whose business detail CSV is GBK.</summary>
    private static byte[] BillZip()
    {
        var csv = AlipayBill.FileEncoding.GetBytes(ProviderFixtures.Text(Provider, "bill-trade-detail.csv"));
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: AlipayBill.FileEncoding))
        {
            using var entry = archive.CreateEntry("20881021692326710156_20141127_业务明细.csv").Open();
            entry.Write(csv);
        }
        return zip.ToArray();
    }

    private static List<KeyValuePair<string, string>> DocumentedNotification()
    {
        using var document = JsonDocument.Parse(ProviderFixtures.Text(Provider, "notification-trade_status_sync.json"));
        return [.. document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!))];
    }

    /// <summary>
    /// Docs: the asynchronous notification page's sample says <c>charset=GBK</c> but describes the sign content
    /// without naming an encoding. SDK (alipay-sdk-net-all, <c>AlipaySignature.RSACheckV1</c>): verifies over the
    /// content encoded in the notification's charset, GBK by default. The SDK's rule wins: signed over GBK bytes
    /// here, and the documented <c>refund_fee=0.00</c> on a TRADE_SUCCESS is a payment, not a refund.
    /// </summary>
    [Fact]
    public void The_documented_gbk_notification_verifies_over_its_gbk_content_as_the_sdk_does_and_parses_as_a_payment()
    {
        var fields = TestAlipay.Signed(DocumentedNotification(), content => TestAlipay.Sign(alipay, content, TestAlipay.Gbk));
        var request = new WebhookRequest(Provider, new Dictionary<string, string>(), TestAlipay.Form(fields, TestAlipay.Gbk));
        var provider = new AlipayProvider([alipay], AppId, SellerId);

        Assert.True(provider.Verify(request, DateTimeOffset.UtcNow));
        var parsed = Assert.IsType<ParseOutcome.Parsed>(provider.Parse(request));
        Assert.Equal(
            (PaymentEventKind.Succeeded, "4a91b7a78a503640467525113fb7d8bg8e", "20150320010101001", "ord-ali-6735", 2L, "CNY"),
            (parsed.Event.Kind, parsed.Event.EventId, parsed.Event.PaymentId, parsed.Event.OrderId, parsed.Event.AmountMinor, parsed.Event.Currency));
    }

    [Fact]
    public async Task The_documented_trade_query_answer_is_read_as_paid_with_its_total_in_fen()
    {
        var payment = await Gateway().QueryPaymentAsync(new PaymentRef("ord-ali-8888", Provider, "6823789339978248"));

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 8888, "CNY"), payment);
    }

    [Fact]
    public async Task The_documented_refund_answer_with_fund_change_y_is_read_as_money_moved()
    {
        var refund = await Gateway().RefundAsync(new RefundRequest("ord-ali-8888", Provider, "6823789339978248", 8888, "CNY", "正常退款"), "refund-6823789339978248");

        Assert.Equal(new RefundResult("refund-6823789339978248", RefundState.Succeeded), refund);
    }

    [Fact]
    public async Task The_documented_bill_is_fetched_by_its_download_url_and_read_as_a_capture_and_a_refund()
    {
        var lines = await Collect.LinesAsync(Gateway().GetStatementAsync(new DateOnly(2014, 11, 27)));

        Assert.Equal(
            [
                new StatementLine("6823789339978248", "ord-ali-8888", "capture", 8888, "CNY", new DateTimeOffset(2014, 11, 27, 7, 45, 57, TimeSpan.Zero)),
                new StatementLine("6823789339978248", "ord-ali-8888", "refund", 8888, "CNY", new DateTimeOffset(2014, 11, 27, 10, 2, 11, TimeSpan.Zero), RefundId: "HZ01RF001"),
            ],
            lines);
    }

    public void Dispose()
    {
        alipay.Dispose();
        app.Dispose();
        api.Dispose();
    }
}
