using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// The API v3 envelope, per attempt: signs each request with the merchant key (<c>Authorization:
/// WECHATPAY2-SHA256-RSA2048 …</c>), names the platform key it verifies with in <c>Wechatpay-Serial</c>
/// (<see cref="PlatformKeyring.Preferred"/>), and verifies each response's <c>Wechatpay-Signature</c> with
/// the platform key of its serial. It sits inside the resilience handler, so a retried request is signed
/// afresh (new timestamp and nonce). Server errors and throttling (5xx, 429) pass unverified for the
/// resilience handler to retry: nothing is read from them. A request marked <see cref="UnsignedResponse"/>
/// (the bill download, checked against its SHA1 instead) skips the response check.
/// </summary>
public sealed class WeChatPayEnvelope(IOptions<WeChatPayOptions> options, TimeProvider clock) : DelegatingHandler
{
    /// <summary>Marks a request whose response WeChat Pay does not sign.</summary>
    public static readonly HttpRequestOptionsKey<bool> UnsignedResponse = new("WeChatPay.UnsignedResponse");

    private static readonly TimeSpan ResponseTolerance = TimeSpan.FromMinutes(5);

    private readonly Lazy<byte[]> merchantKey = new(() =>
    {
        using var rsa = WeChatPayOptions.ImportPrivateKey(options.Value.MerchantPrivateKeySetting().Value);
        return rsa.ExportPkcs8PrivateKey();
    });

    private readonly Lazy<PlatformKeyring> platform = new(() => PlatformKeyring.Parse(options.Value.PlatformPublicKeys));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        var nonce = WeChatPaySignature.NewNonce();
        var message = WeChatPaySignature.RequestMessage(request.Method.Method, request.RequestUri!.PathAndQuery, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), nonce, body);
        string signature;
        using (var rsa = RSA.Create())
        {
            rsa.ImportPkcs8PrivateKey(merchantKey.Value, out _);
            signature = WeChatPaySignature.Sign(rsa, message);
        }
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization",
            WeChatPaySignature.Authorization(options.Value.MerchantId, nonce, timestamp, options.Value.MerchantSerial, signature));
        // Names the platform key answers are verified with, so WeChat Pay signs them with it (its key switch guide).
        if (platform.Value.Preferred is { } platformSerial)
        {
            request.Headers.Remove(WeChatPayProvider.SerialHeader);
            request.Headers.TryAddWithoutValidation(WeChatPayProvider.SerialHeader, platformSerial);
        }
        if (request.Headers.Accept.Count == 0)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests
            || request.Options.TryGetValue(UnsignedResponse, out var unsigned) && unsigned)
        {
            return response;
        }
        var responseBody = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (Problem(response, responseBody) is { } problem)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new WeChatPayUnverifiedResponseException(request.Method.Method, request.RequestUri.AbsolutePath, status, problem);
        }
        // The body was read to verify it; hand the caller a replayable copy with the same headers.
        var content = new ByteArrayContent(responseBody);
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        response.Content = content;
        return response;
    }

    private string? Problem(HttpResponseMessage response, byte[] body)
    {
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        var timestamp = Header(WeChatPayProvider.TimestampHeader);
        var nonce = Header(WeChatPayProvider.NonceHeader);
        var serial = Header(WeChatPayProvider.SerialHeader);
        var signature = Header(WeChatPayProvider.SignatureHeader);
        if (timestamp is null || nonce is null || serial is null || signature is null)
        {
            return "signature headers missing";
        }
        if (!long.TryParse(timestamp, out var seconds) || !SignatureCheck.IsWithin(seconds, clock.GetUtcNow(), ResponseTolerance))
        {
            return "timestamp outside the tolerance";
        }
        if (!platform.Value.Knows(serial))
        {
            return $"unknown platform key serial {serial}";
        }
        var presented = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, presented, out var written)
            && platform.Value.Verify(serial, WeChatPaySignature.ResponseMessage(timestamp, nonce, body), presented.AsSpan(0, written))
            ? null
            : "signature does not match";
    }
}
