using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Gateway;
using Payments.Gateway.WeChatPay;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Issue 26, item 11: WeChat Pay API v3's documented payloads (<c>Fixtures/Providers/wechatpay</c>, sources in
/// its README) through the connector's own code: the notification through <see cref="WeChatPayProvider"/>
/// (the fixture holds the plaintext resource; the test seals it with the APIv3 key and signs the body with a
/// platform key, as <see cref="TestWeChatPay"/> does), the API's answers through <see cref="WeChatPayGateway"/>
/// inside its signing and verifying <see cref="WeChatPayEnvelope"/>, served by a canned API that signs them.
/// </summary>
public sealed class WeChatPayDocumentedPayloadTests : IDisposable
{
    private const string Provider = "wechatpay";
    private const string MerchantId = "1230000109";
    private const string OutTradeNo = "1217752501201407033233368018";
    private const string Serial = "PUB_KEY_ID_0112345678202401010000000000";
    private const string ApiV3Key = "0123456789abcdefghijklmnopqrstuv";

    private readonly RSA platform = RSA.Create(2048);
    private readonly RSA merchant = RSA.Create(2048);
    private readonly CannedGateway api;

    public WeChatPayDocumentedPayloadTests()
    {
        var bill = ProviderFixtures.Bytes(Provider, "tradebill-ALL.csv");
        api = new CannedGateway((request, _) => (request.Method.Method, request.RequestUri!.AbsolutePath) switch
        {
            ("GET", "/v3/pay/transactions/out-trade-no/" + OutTradeNo) => Signed(ProviderFixtures.Text(Provider, "query-transaction.json")),
            ("POST", "/v3/refund/domestic/refunds") => Signed(ProviderFixtures.Text(Provider, "refund-created.json")),
            // The documented answer's hash is of the documentation's file; the bill served here is the fixture's.
            ("GET", "/v3/bill/tradebill") => Signed(WithHash(ProviderFixtures.Text(Provider, "tradebill-answer.json"), bill)),
            ("GET", "/v3/billdownload/file") => CannedGateway.Bytes(bill),
            _ => CannedGateway.NotFound(),
        });
    }

    private WeChatPayOptions Options => new()
    {
        MerchantId = MerchantId,
        MerchantSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        MerchantPrivateKey = merchant.ExportPkcs8PrivateKeyPem(),
        ApiV3Key = ApiV3Key,
        PlatformPublicKeys = $"{Serial}={Convert.ToBase64String(platform.ExportSubjectPublicKeyInfo())}",
        ApiBase = "https://api.mch.weixin.qq.com",
    };

    private WeChatPayGateway Gateway()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        var http = new HttpClient(new WeChatPayEnvelope(options, TimeProvider.System) { InnerHandler = api });
        WeChatPayGateway.Configure(http, options.Value);
        return new WeChatPayGateway(http, options);
    }

    /// <summary>An answer signed as WeChat Pay signs one: SHA256withRSA over <c>timestamp\nnonce\nbody\n</c>, written here independently of the connector.</summary>
    private HttpResponseMessage Signed(string body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var response = CannedGateway.Json(body);
        response.Headers.Add("Wechatpay-Timestamp", timestamp);
        response.Headers.Add("Wechatpay-Nonce", nonce);
        response.Headers.Add("Wechatpay-Serial", Serial);
        response.Headers.Add("Wechatpay-Signature", Sign($"{timestamp}\n{nonce}\n{body}\n"));
        return response;
    }

    private string Sign(string message) =>
        Convert.ToBase64String(platform.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private static string WithHash(string answer, byte[] bill)
    {
        var node = JsonNode.Parse(answer)!;
        node["hash_value"] = Convert.ToHexStringLower(SHA1.HashData(bill));
        return node.ToJsonString();
    }

    /// <summary>The documented envelope with the documented resource sealed in it: AES-256-GCM under the APIv3 key, its nonce and associated data, the tag after the ciphertext.</summary>
    private static string SealedNotification()
    {
        var envelope = JsonNode.Parse(ProviderFixtures.Text(Provider, "notification-transaction.success.json"))!;
        var resource = envelope["resource"]!;
        var plaintext = ProviderFixtures.Bytes(Provider, "resource-transaction.json");
        var sealedBytes = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(ApiV3Key), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(resource["nonce"]!.GetValue<string>()), plaintext, sealedBytes.AsSpan(0, plaintext.Length),
                sealedBytes.AsSpan(plaintext.Length), Encoding.UTF8.GetBytes(resource["associated_data"]!.GetValue<string>()));
        }
        resource["ciphertext"] = Convert.ToBase64String(sealedBytes);
        return envelope.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    [Fact]
    public void The_documented_transaction_success_notification_decrypts_verifies_and_parses_as_the_payment_of_its_order()
    {
        var body = SealedNotification();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        const string nonce = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Wechatpay-Timestamp"] = timestamp,
            ["Wechatpay-Nonce"] = nonce,
            ["Wechatpay-Serial"] = Serial,
            ["Wechatpay-Signature"] = Sign($"{timestamp}\n{nonce}\n{body}\n"),
        };
        var request = new WebhookRequest(Provider, headers, Encoding.UTF8.GetBytes(body));
        var provider = new WeChatPayProvider(PlatformKeyring.Parse(Options.PlatformPublicKeys), [ApiV3Key], MerchantId, TimeSpan.FromMinutes(5));

        Assert.True(provider.Verify(request, DateTimeOffset.UtcNow));
        var parsed = Assert.IsType<ParseOutcome.Parsed>(provider.Parse(request));
        Assert.Equal(
            (PaymentEventKind.Succeeded, OutTradeNo, "ord-wx-6735", 100L, "CNY", new DateTimeOffset(2018, 6, 8, 10, 34, 56, TimeSpan.FromHours(8))),
            (parsed.Event.Kind, parsed.Event.PaymentId, parsed.Event.OrderId, parsed.Event.AmountMinor, parsed.Event.Currency, parsed.Event.OccurredAt));
    }

    [Fact]
    public async Task The_documented_query_answer_is_read_as_paid_with_the_order_total_in_fen()
    {
        var payment = await Gateway().QueryPaymentAsync(new PaymentRef("ord-wx-6735", Provider, OutTradeNo));

        Assert.Equal(new GatewayPayment(GatewayPaymentState.Paid, 100, "CNY"), payment);
    }

    [Fact]
    public async Task The_documented_refund_answer_is_read_as_a_refund_on_its_way_under_wechat_s_refund_id()
    {
        var refund = await Gateway().RefundAsync(new RefundRequest("ord-wx-6735", Provider, OutTradeNo, 100, "CNY", "商品已售完"), "refund-" + OutTradeNo);

        Assert.Equal(new RefundResult("50000000382019052709732678859", RefundState.Pending), refund);
    }

    [Fact]
    public async Task The_documented_trade_bill_is_downloaded_sha1_checked_and_read_as_a_capture_and_a_refund()
    {
        var lines = await Collect.LinesAsync(Gateway().GetStatementAsync(new DateOnly(2018, 6, 8)));

        Assert.Equal(
            [
                new StatementLine(OutTradeNo, "ord-wx-6735", "capture", 100, "CNY", new DateTimeOffset(2018, 6, 8, 2, 34, 56, TimeSpan.Zero)),
                new StatementLine(OutTradeNo, "ord-wx-6735", "refund", 100, "CNY", new DateTimeOffset(2018, 6, 8, 8, 18, 12, TimeSpan.Zero), RefundId: "50000000382019052709732678859"),
            ],
            lines);
    }

    public void Dispose()
    {
        platform.Dispose();
        merchant.Dispose();
        api.Dispose();
    }
}
