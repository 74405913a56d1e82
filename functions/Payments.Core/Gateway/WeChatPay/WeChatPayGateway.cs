using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Payments.Contracts;
using Payments.Secrets;

namespace Payments.Gateway.WeChatPay;

/// <summary>
/// The WeChat Pay connector's outbound port, API v3: the payment id is the merchant's
/// <c>out_trade_no</c>. Query reads the transaction, close closes it (and reads it back, since a close
/// can race the customer's payment), refund is a domestic refund whose <c>out_refund_no</c> is the
/// pipeline's idempotency key, the statement is the day's trade bill. Signing and response
/// verification are <see cref="WeChatPayEnvelope"/>'s, in-call retries the resilience handler's.
/// </summary>
public sealed class WeChatPayGateway(HttpClient http, IOptions<WeChatPayOptions> options) : IPaymentGateway
{
    private const string Provider = WeChatPayProvider.ProviderName;
    private const int MaxRefundNoLength = 64;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private string MerchantId => options.Value.MerchantId;

    public async Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var response = await http.GetAsync(TransactionPath(payment.PaymentId) + "?mchid=" + Uri.EscapeDataString(MerchantId), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new GatewayPayment(GatewayPaymentState.NotFound, 0, "");
        }
        await EnsureSuccessAsync(response, "query", payment.PaymentId, ct);
        var transaction = await response.Content.ReadFromJsonAsync<Transaction>(Json, ct) ?? throw new InvalidDataException("WeChat Pay: empty transaction.");
        return ToPayment(transaction);
    }

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using (var response = await http.PostAsJsonAsync(TransactionPath(payment.PaymentId) + "/close", new { mchid = MerchantId }, Json, ct))
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Never created at WeChat Pay: nothing can be paid on it, which is what closing means.
                return new CloseResult(true, 0, "");
            }
            if (response.StatusCode != HttpStatusCode.NoContent
                && !(response.StatusCode == HttpStatusCode.BadRequest && await ErrorCodeAsync(response, ct) is "ORDERPAID" or "ORDER_PAID" or "ORDER_CLOSED"))
            {
                await EnsureSuccessAsync(response, "close", payment.PaymentId, ct);
            }
        }
        // A close answers nothing about the transaction, and the customer may have paid just before it: read it back.
        var after = await QueryPaymentAsync(payment, ct);
        return after.State == GatewayPaymentState.Paid
            ? new CloseResult(false, after.PaidAmountMinor, after.Currency)
            : new CloseResult(true, 0, after.Currency);
    }

    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        // WeChat Pay wants the original order total beside the refund amount.
        var paid = await QueryPaymentAsync(new PaymentRef(refund.OrderId, refund.Provider, refund.PaymentId), ct);
        var body = new
        {
            out_trade_no = refund.PaymentId,
            out_refund_no = RefundNumber(idempotencyKey),
            reason = refund.Reason.Length <= 80 ? refund.Reason : refund.Reason[..80],
            // Where the refund's end is announced (REFUND.SUCCESS / ABNORMAL / CLOSED); without it WeChat Pay sends none.
            notify_url = options.Value.RefundNotifyUrlOrHost(),
            amount = new
            {
                refund = refund.AmountMinor,
                total = paid.State == GatewayPaymentState.Paid ? paid.PaidAmountMinor : refund.AmountMinor,
                currency = refund.Currency,
            },
        };
        using var response = await http.PostAsync("v3/refund/domestic/refunds",
            new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json"), ct);
        await EnsureSuccessAsync(response, "refund", refund.PaymentId, ct);
        var created = await response.Content.ReadFromJsonAsync<Refund>(Json, ct) ?? throw new InvalidDataException("WeChat Pay: empty refund.");
        // PROCESSING is accepted: the money moves later (REFUND.SUCCESS, the refund query, the bill); ABNORMAL and CLOSED did not go through.
        return created.Status is "SUCCESS" or "PROCESSING"
            ? new RefundResult(created.RefundId ?? throw new InvalidDataException("WeChat Pay: refund without refund_id."), StateOf(created.Status))
            : throw new GatewayRefusedException(Provider, "refund", refund.PaymentId, (int)response.StatusCode, "refund_status", created.Status, null);
    }

    /// <summary><c>GET /v3/refund/domestic/refunds/{out_refund_no}</c>: the refund by the pipeline's own number for it.</summary>
    public async Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        using var response = await http.GetAsync("v3/refund/domestic/refunds/" + Uri.EscapeDataString(RefundNumber(refund.IdempotencyKey)), ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new GatewayRefund(RefundState.Requested);
        }
        await EnsureSuccessAsync(response, "refund query", refund.PaymentId, ct);
        var found = await response.Content.ReadFromJsonAsync<Refund>(Json, ct) ?? throw new InvalidDataException("WeChat Pay: empty refund.");
        return new GatewayRefund(StateOf(found.Status), found.RefundId);
    }

    /// <summary>A refund's <c>status</c>: PROCESSING on its way, SUCCESS paid, ABNORMAL (e.g. the payer's card closed) and CLOSED not.</summary>
    public static RefundState StateOf(string? status) => status switch
    {
        "SUCCESS" => RefundState.Succeeded,
        "ABNORMAL" => RefundState.Failed,
        "CLOSED" => RefundState.Closed,
        _ => RefundState.Pending,
    };

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        RefuseWithoutCredentials();
        Bill bill;
        using (var response = await http.GetAsync($"v3/bill/tradebill?bill_date={date:yyyy-MM-dd}&bill_type=ALL", ct))
        {
            if (response.StatusCode == HttpStatusCode.BadRequest && await ErrorCodeAsync(response, ct) == "NO_STATEMENT_EXIST")
            {
                // No payment and no refund that day: WeChat Pay has no bill to give.
                yield break;
            }
            await EnsureSuccessAsync(response, "tradebill", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ct);
            bill = await response.Content.ReadFromJsonAsync<Bill>(Json, ct) ?? throw new InvalidDataException("WeChat Pay: empty bill answer.");
        }

        await using var file = await DownloadAsync(bill, ct);
        using var reader = new StreamReader(file, Encoding.UTF8);
        // Numbered by the bill's own lines (the header is line 1), so a malformed row can be found in the file.
        await foreach (var entry in TradeBill.ReadAsync(reader, ct))
        {
            yield return entry;
        }
    }

    /// <summary>
    /// SUCCESS (and REFUND: paid, then refunded in part or whole) is paid with the order total; CLOSED
    /// and REVOKED are closed; PAYERROR is a failed attempt that is not final; NOTPAY and USERPAYING
    /// are pending.
    /// </summary>
    private static GatewayPayment ToPayment(Transaction transaction)
    {
        var currency = transaction.Amount?.Currency?.ToUpperInvariant() ?? "";
        return transaction.TradeState switch
        {
            "SUCCESS" or "REFUND" => new GatewayPayment(GatewayPaymentState.Paid, transaction.Amount?.Total ?? throw new InvalidDataException("WeChat Pay: paid transaction without amount.total."), currency),
            "CLOSED" or "REVOKED" => new GatewayPayment(GatewayPaymentState.Closed, 0, currency),
            "PAYERROR" => new GatewayPayment(GatewayPaymentState.Failed, 0, currency),
            _ => new GatewayPayment(GatewayPaymentState.Pending, 0, currency),
        };
    }

    /// <summary>
    /// <c>out_refund_no</c> allows 1-64 of letters, digits and <c>_-|*@</c>; a key outside that is
    /// replaced by a digest of it, the same every time, so the refund stays idempotent.
    /// </summary>
    public static string RefundNumber(string idempotencyKey) =>
        idempotencyKey.Length is > 0 and <= MaxRefundNoLength && idempotencyKey.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '|' or '*' or '@')
            ? idempotencyKey
            : "rk-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..48];

    public static void Configure(HttpClient http, WeChatPayOptions options)
    {
        http.BaseAddress = new Uri(options.ApiBase.TrimEnd('/') + "/");
        // API v3 refuses a request without a User-Agent.
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Payments-Pipeline/1.0");
    }

    /// <summary>The bill file, its SHA1 checked before a line is read, spooled to a temporary file so a large bill never sits in memory.</summary>
    private async Task<Stream> DownloadAsync(Bill bill, CancellationToken ct)
    {
        if (!Uri.TryCreate(bill.DownloadUrl, UriKind.Absolute, out var url) || http.BaseAddress is null
            || Uri.Compare(url, http.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            // A signed request must go nowhere but WeChat Pay's API.
            throw new InvalidDataException("WeChat Pay: the bill's download_url is not on the API's host.");
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(WeChatPayEnvelope.UnsignedResponse, true);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccessAsync(response, "billdownload", url.AbsolutePath, ct);
        var file = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            await using (var source = await response.Content.ReadAsStreamAsync(ct))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, ct)) > 0)
                {
                    sha1.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            var hash = Convert.ToHexStringLower(sha1.GetHashAndReset());
            if (!string.Equals(bill.HashType, "SHA1", StringComparison.OrdinalIgnoreCase) || !string.Equals(hash, bill.HashValue, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException("WeChat Pay: the downloaded bill does not match its SHA1.");
            }
            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string paymentId, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // Still failing after the in-call retries: transient as far as the saga's retry policy knows.
            response.EnsureSuccessStatusCode();
        }
        var error = await ReadErrorAsync(response, ct);
        throw new GatewayRefusedException(Provider, operation, paymentId, (int)response.StatusCode, "wechatpay", error?.Code, error?.Message);
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response, CancellationToken ct) => (await ReadErrorAsync(response, ct))?.Code;

    private static async Task<Error?> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<Error>(Json, ct);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string TransactionPath(string outTradeNo) => "v3/pay/transactions/out-trade-no/" + Uri.EscapeDataString(outTradeNo);

    private void RefuseWithoutCredentials()
    {
        if (options.Value.MerchantPrivateKeySetting() is { IsSet: false } key)
        {
            throw new GatewayCredentialsUnavailableException(key.Problem!);
        }
    }

    /// <summary>The fields of a transaction the pipeline reads.</summary>
    private sealed record Transaction(
        [property: JsonPropertyName("out_trade_no")] string? OutTradeNo,
        [property: JsonPropertyName("trade_state")] string? TradeState,
        [property: JsonPropertyName("amount")] TransactionAmount? Amount);

    private sealed record TransactionAmount(
        [property: JsonPropertyName("total")] long? Total,
        [property: JsonPropertyName("currency")] string? Currency);

    private sealed record Refund(
        [property: JsonPropertyName("refund_id")] string? RefundId,
        [property: JsonPropertyName("status")] string? Status);

    private sealed record Bill(
        [property: JsonPropertyName("download_url")] string? DownloadUrl,
        [property: JsonPropertyName("hash_type")] string? HashType,
        [property: JsonPropertyName("hash_value")] string? HashValue);

    private sealed record Error(
        [property: JsonPropertyName("code")] string? Code,
        [property: JsonPropertyName("message")] string? Message);
}
