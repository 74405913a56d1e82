using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Payments.Contracts;
using Payments.Secrets;

namespace Payments.Gateway.Alipay;

/// <summary>
/// The Alipay connector's outbound port, on the open platform's gateway: every call a form POST of
/// the public parameters and a JSON <c>biz_content</c>, signed RSA2 with the app's private key; every
/// answer verified with Alipay's public key before it is believed. The payment id is the merchant's
/// <c>out_trade_no</c>. With a key that is not usable (unset, or an unresolved Key Vault reference) it
/// sends nothing.
/// </summary>
public sealed class AlipayGateway(Func<HttpClient> http, AlipayOptions options, TimeProvider clock) : IPaymentGateway
{
    private const string Provider = AlipayProvider.ProviderName;
    private const string TradeNotExist = AlipayResponse.TradeNotExist;
    private const string TradeStatusError = AlipayResponse.TradeStatusError;
    private const string BillNotExist = AlipayResponse.BillNotExist;

    // Alipay's out_request_no holds at most 64 characters.
    private const int MaxRequestNoLength = 64;

    public async Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        var response = await CallAsync("alipay.trade.query", new { out_trade_no = payment.PaymentId }, ct);
        if (response.IsSuccess)
        {
            return ToPayment(response);
        }
        return response.SubCode == TradeNotExist
            ? new GatewayPayment(GatewayPaymentState.NotFound, 0, "")
            : throw Refused("query", payment.PaymentId, response);
    }

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        var response = await CallAsync("alipay.trade.close", new { out_trade_no = payment.PaymentId }, ct);
        if (response.IsSuccess || response.SubCode == TradeNotExist)
        {
            // Not created at Alipay (the buyer never opened it): nothing can be paid on it, which is what closing means.
            return new CloseResult(true, 0, AlipayAmount.Currency);
        }
        if (response.SubCode == TradeStatusError)
        {
            // Only a trade waiting for the buyer can be closed: read what it became.
            var now = await QueryPaymentAsync(payment, ct);
            return now.State switch
            {
                GatewayPaymentState.Paid => new CloseResult(false, now.PaidAmountMinor, now.Currency),
                GatewayPaymentState.Closed => new CloseResult(true, 0, now.Currency),
                _ => throw Refused("close", payment.PaymentId, response),
            };
        }
        throw Refused("close", payment.PaymentId, response);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        if (!string.Equals(refund.Currency, AlipayAmount.Currency, StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayRefusedException(Provider, "refund", refund.PaymentId, 0, "currency", null, $"Alipay refunds in {AlipayAmount.Currency}, not {refund.Currency}");
        }
        var requestNo = RequestNo(idempotencyKey);
        var response = await CallAsync("alipay.trade.refund", new
        {
            out_trade_no = refund.PaymentId,
            refund_amount = AlipayAmount.ToYuan(refund.AmountMinor),
            out_request_no = requestNo,
            refund_reason = refund.Reason,
        }, ct);
        // Alipay answers a repeated out_request_no with the first refund's result: paid out once. fund_change
        // Y says this call moved the money; N says it did not (refunded already by this number, or not yet):
        // the refund query decides that one.
        return response.IsSuccess
            ? new RefundResult(requestNo, response.Text("fund_change") == "Y" ? RefundState.Succeeded : RefundState.Pending)
            : throw Refused("refund", refund.PaymentId, response);
    }

    /// <summary>
    /// <c>alipay.trade.fastpay.refund.query</c> by the refund's <c>out_request_no</c>: <c>refund_status</c>
    /// <c>REFUND_SUCCESS</c> is paid; an answer without it is a refund Alipay has not (or not yet) made.
    /// </summary>
    public async Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
    {
        var requestNo = RequestNo(refund.IdempotencyKey);
        var response = await CallAsync("alipay.trade.fastpay.refund.query", new { out_trade_no = refund.PaymentId, out_request_no = requestNo }, ct);
        if (!response.IsSuccess)
        {
            throw Refused("refund query", refund.PaymentId, response);
        }
        return response.Text("refund_status") == "REFUND_SUCCESS"
            ? new GatewayRefund(RefundState.Succeeded, requestNo)
            : new GatewayRefund(RefundState.Requested, requestNo);
    }

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var response = await CallAsync("alipay.data.dataservice.bill.downloadurl.query",
            new { bill_type = "trade", bill_date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, ct);
        if (response.SubCode == BillNotExist)
        {
            // No trade and no refund that day: Alipay has no bill to give. An empty statement, not an outage.
            yield break;
        }
        if (!response.IsSuccess)
        {
            throw Refused("bill", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), response);
        }
        var url = response.Text("bill_download_url") ?? throw new InvalidDataException("Alipay's bill answer has no bill_download_url.");
        // The download address is itself the credential (short-lived, signed by Alipay): a plain GET.
        using var bill = await http().GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, ct);
        bill.EnsureSuccessStatusCode();
        var bytes = await bill.Content.ReadAsByteArrayAsync(ct);
        foreach (var entry in AlipayBill.Read(bytes))
        {
            yield return entry;
        }
    }

    /// <summary><c>TRADE_SUCCESS</c>/<c>TRADE_FINISHED</c> paid with the trade's total, <c>TRADE_CLOSED</c> closed (unpaid, or fully refunded), <c>WAIT_BUYER_PAY</c> pending.</summary>
    public static GatewayPayment ToPayment(AlipayResponse response) => response.Text("trade_status") switch
    {
        "TRADE_SUCCESS" or "TRADE_FINISHED" => new GatewayPayment(GatewayPaymentState.Paid,
            AlipayAmount.ToFen(response.Text("total_amount")) ?? throw new InvalidDataException("Alipay's trade has no total_amount in yuan."), AlipayAmount.Currency),
        "TRADE_CLOSED" => new GatewayPayment(GatewayPaymentState.Closed, 0, AlipayAmount.Currency),
        _ => new GatewayPayment(GatewayPaymentState.Pending, 0, AlipayAmount.Currency),
    };

    /// <summary>The pipeline's idempotency key as an <c>out_request_no</c>: itself when it fits, else a stable digest of it.</summary>
    public static string RequestNo(string idempotencyKey) =>
        idempotencyKey.Length <= MaxRequestNoLength
            ? idempotencyKey
            : "k" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..(MaxRequestNoLength - 1)];

    private async Task<AlipayResponse> CallAsync(string method, object bizContent, CancellationToken ct)
    {
        var (privateKey, publicKeys) = Keys();
        using (privateKey)
        {
            try
            {
                var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["app_id"] = options.AppId,
                    ["method"] = method,
                    ["format"] = "JSON",
                    ["charset"] = "utf-8",
                    ["sign_type"] = "RSA2",
                    ["timestamp"] = clock.GetUtcNow().ToOffset(AlipayProvider.ChinaOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    ["version"] = "1.0",
                    ["biz_content"] = JsonSerializer.Serialize(bizContent),
                };
                parameters[AlipaySignature.SignField] = AlipaySignature.Sign(privateKey, AlipaySignature.RequestContent(parameters));
                using var content = new StringContent(AlipayForm.Encode(parameters), Encoding.UTF8, "application/x-www-form-urlencoded");
                using var reply = await http().PostAsync(new Uri(options.GatewayUrl), content, ct);
                reply.EnsureSuccessStatusCode();
                var body = await reply.Content.ReadAsByteArrayAsync(ct);
                var response = AlipayResponse.Read(body, method, (signed, signature) => AlipaySignature.Verify(publicKeys, signed.Span, signature));
                // Alipay's own outage answer: worth another try later, unlike a refusal.
                // Alipay's own outage or system error: worth another try with the same request, unlike a refusal
                // (a refund refused for good moves on to a new out_request_no; one that may have gone through must not).
                return response.Code == AlipayResponse.ServiceUnavailable || response.SubCode == AlipayResponse.SystemError
                    ? throw new HttpRequestException($"Alipay answered {method} with {response.Code} (service unavailable or system error): {response.SubCode}")
                    : response;
            }
            finally
            {
                foreach (var key in publicKeys)
                {
                    key.Dispose();
                }
            }
        }
    }

    private (RSA PrivateKey, IReadOnlyList<RSA> PublicKeys) Keys()
    {
        var privateKey = options.AppPrivateKeySetting();
        var publicKeys = options.AlipayPublicKeysSetting();
        var appId = options.AppIdSetting();
        if (!privateKey.IsSet || !publicKeys.IsSet || !appId.IsSet)
        {
            throw new GatewayCredentialsUnavailableException((appId.Problem ?? privateKey.Problem ?? publicKeys.Problem)!);
        }
        return (AlipaySignature.PrivateKey(privateKey.Value), [.. SecretList.Split(publicKeys.Value).Select(AlipaySignature.PublicKey)]);
    }

    private static GatewayRefusedException Refused(string operation, string paymentId, AlipayResponse response) =>
        new(Provider, operation, paymentId, 200, response.Code, response.SubCode, response.Message);
}
