using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Payments.Storage;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// A pipeline for input crafted to break it: every provider's intake can be signed by the test (a
/// test Adyen HMAC key and merchant account, a test WeChat Pay platform key, the simulator's Alipay
/// key), and every log line the host writes at Warning or above is captured.
/// </summary>
public sealed class HostileInputFixture : PipelineFixture
{
    public const string AdyenMerchant = "HostileTestMerchant";
    public static readonly byte[] AdyenKey = RandomNumberGenerator.GetBytes(32);

    public FakeLoggerProvider Log { get; } = new();

    public TestWeChatPay WeChatPay { get; private set; } = null!;

    /// <summary>Every configured secret, to check that none reaches the log.</summary>
    public IReadOnlyList<string> Secrets { get; private set; } = [];

    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync("hostile", settings =>
    {
        settings["Connectors:Adyen:HmacKeys"] = $"{Convert.ToHexString(AdyenKey)} {settings["Connectors:Adyen:HmacKeys"]}";
        settings["Connectors:Adyen:MerchantAccounts"] = $"{AdyenMerchant} {settings["Connectors:Adyen:MerchantAccounts"]}";
        WeChatPay = new TestWeChatPay(settings["Connectors:WeChatPay:ApiV3Key"]!, settings["Connectors:WeChatPay:MerchantId"]!);
        WeChatPay.AddTo(settings);
        Secrets = [TestWebhooks.StripeSecret, TestWebhooks.StandardSecret(TestWebhooks.StandardKey), Convert.ToHexString(AdyenKey), WeChatPay.ApiV3Key];
    }, services: services =>
    {
        // The local host logs through one factory made before its services; a provider added to it sees every logger.
        var factory = (ILoggerFactory)services.Last(d => d.ServiceType == typeof(ILoggerFactory)).ImplementationInstance!;
        factory.AddProvider(Log);
    });

    public async Task<List<InboxEntry>> InboxRowsAsync(Func<InboxEntry, bool> match) =>
        (await Collect.AllAsync(Pipeline.Service<InboxStore>().ListAllAsync())).Where(match).ToList();

    /// <summary>A Standard Webhooks request over any body bytes, signed with the current key.</summary>
    public HttpRequestMessage Standard(string webhookId, byte[] body, long? timestamp = null)
    {
        var ts = (timestamp ?? TestWebhooks.Now).ToString();
        var signature = Convert.ToBase64String(HMACSHA256.HashData(TestWebhooks.StandardKey, (byte[])[.. Encoding.UTF8.GetBytes($"{webhookId}.{ts}."), .. body]));
        var request = Post("standard", body);
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", ts);
        request.Headers.TryAddWithoutValidation("webhook-signature", $"v1,{signature}");
        return request;
    }

    /// <summary>A Stripe request over any body bytes, signed with the current endpoint secret.</summary>
    public HttpRequestMessage Stripe(byte[] body, long? timestamp = null)
    {
        var ts = (timestamp ?? TestWebhooks.Now).ToString();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestWebhooks.StripeSecret), (byte[])[.. Encoding.UTF8.GetBytes($"{ts}."), .. body]));
        var request = Post("stripe", body);
        request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={ts},v1={signature}");
        return request;
    }

    /// <summary>Adyen's HMAC of one item's signed fields under the test key.</summary>
    public static string AdyenSignature(string psp, string merchantReference, string value, string eventCode, string originalReference = "") =>
        Convert.ToBase64String(HMACSHA256.HashData(AdyenKey, Encoding.UTF8.GetBytes($"{psp}:{originalReference}:{AdyenMerchant}:{merchantReference}:{value}:EUR:{eventCode}:true")));

    public HttpRequestMessage Post(string provider, byte[] body, string contentType = "application/json") =>
        new(HttpMethod.Post, new Uri(Pipeline.Host.BaseAddress, $"api/callbacks/{provider}"))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } },
        };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        WeChatPay?.Dispose();
        Log.Dispose();
    }
}

/// <summary>A body sent chunked, without a Content-Length, as a client streaming it does.</summary>
public sealed class UnsizedContent : HttpContent
{
    private readonly byte[] bytes;

    public UnsizedContent(string text, string contentType = "application/json")
    {
        bytes = Encoding.UTF8.GetBytes(text);
        Headers.ContentType = new MediaTypeHeaderValue(contentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
