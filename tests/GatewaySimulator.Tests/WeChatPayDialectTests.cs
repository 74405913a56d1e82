using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace GatewaySimulator.Tests;

/// <summary>
/// The simulator's WeChat Pay API v3 dialect from the outside: it refuses requests the merchant did not
/// sign, signs its answers, and sends notifications a receiver can verify and decrypt with nothing but
/// the settings <see cref="SimulatorServer.ConnectorSettings"/> hands out.
/// </summary>
public sealed class WeChatPayDialectTests
{
    [Fact]
    public async Task A_request_without_the_merchant_s_signature_is_refused_with_a_signed_sign_error()
    {
        await using var server = await TestSimulator.StartAsync();
        using var client = TestSimulator.ClientFor(server);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("test/1.0");
        await client.CreatePaidPaymentAsync(server, "wx-unsigned", provider: "wechatpay");

        using var reply = await client.GetAsync("/v3/pay/transactions/out-trade-no/wx-unsigned?mchid=1900000109");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Equal("SIGN_ERROR", (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var body = await reply.Content.ReadAsByteArrayAsync();
        Assert.True(VerifiesWithPlatformKey(server, Header(reply, "Wechatpay-Serial"), Header(reply, "Wechatpay-Timestamp"), Header(reply, "Wechatpay-Nonce"), Header(reply, "Wechatpay-Signature"), body));
    }

    [Fact]
    public async Task A_payment_notification_verifies_and_decrypts_with_the_handed_out_settings_and_a_decline_sends_none()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => StatusCodes.Status204NoContent);
        await using var server = await TestSimulator.StartAsync(receiver);
        using var client = TestSimulator.ClientFor(server);
        using (var declined = await client.CreatePaymentAsync("wx-declined", provider: "wechatpay"))
        {
            declined.EnsureSuccessStatusCode();
        }
        await server.FailAsync("wx-declined");
        await client.CreatePaidPaymentAsync(server, "wx-paid", 8880, provider: "wechatpay", orderId: "order-中文");
        await server.WaitForDeliveriesAsync(TestSimulator.Patience);

        var notification = Assert.Single(receiver.Received);
        Assert.Equal("wechatpay", notification.Provider);
        Assert.True(VerifiesWithPlatformKey(server, notification.Header("Wechatpay-Serial"), notification.Header("Wechatpay-Timestamp"),
            notification.Header("Wechatpay-Nonce"), notification.Header("Wechatpay-Signature"), notification.Body));
        var root = JsonDocument.Parse(notification.Body).RootElement;
        Assert.Equal("TRANSACTION.SUCCESS", root.GetProperty("event_type").GetString());
        var resource = root.GetProperty("resource");
        var transaction = JsonDocument.Parse(Decrypt(server.ConnectorSettings()["Connectors:WeChatPay:ApiV3Key"]!, resource)).RootElement;
        Assert.Equal(("wx-paid", "SUCCESS", "order-中文", 8880L, "EUR"),
            (transaction.GetProperty("out_trade_no").GetString(), transaction.GetProperty("trade_state").GetString(), transaction.GetProperty("attach").GetString(),
             transaction.GetProperty("amount").GetProperty("total").GetInt64(), transaction.GetProperty("amount").GetProperty("currency").GetString()));
        Assert.Equal(1, server.Stats.EventsCreated);
    }

    private static string Header(HttpResponseMessage reply, string name) => reply.Headers.TryGetValues(name, out var values) ? values.Single() : "";

    private static bool VerifiesWithPlatformKey(SimulatorServer server, string serial, string timestamp, string nonce, string signature, byte[] body)
    {
        var entry = server.ConnectorSettings()["Connectors:WeChatPay:PlatformPublicKeys"]!.Split('=', 2);
        if (entry[0] != serial)
        {
            return false;
        }
        using var key = RSA.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(entry[1]), out _);
        var message = Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n").Concat(body).Append((byte)'\n').ToArray();
        return key.VerifyData(message, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static byte[] Decrypt(string apiV3Key, JsonElement resource)
    {
        var sealedBytes = Convert.FromBase64String(resource.GetProperty("ciphertext").GetString()!);
        var plaintext = new byte[sealedBytes.Length - 16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16);
        aes.Decrypt(Encoding.UTF8.GetBytes(resource.GetProperty("nonce").GetString()!), sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length),
            plaintext, Encoding.UTF8.GetBytes(resource.GetProperty("associated_data").GetString()!));
        return plaintext;
    }
}
