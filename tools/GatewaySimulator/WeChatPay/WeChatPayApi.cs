using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace GatewaySimulator.WeChatPay;

/// <summary>
/// WeChat Pay API v3's dialect of the merchant API, for payments created with provider
/// <c>wechatpay</c> (the payment id is the merchant's <c>out_trade_no</c>): query by out_trade_no,
/// close, domestic refund with <c>out_refund_no</c> as the idempotency key, the trade bill and its
/// download. Errors are WeChat Pay's <c>{"code","message"}</c>. Signing both ways is <see cref="WeChatPayGuard"/>'s.
/// </summary>
internal static class WeChatPayApi
{
    public const string BillDownloadPath = "/v3/billdownload/file";

    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static void MapWeChatPayApi(this IEndpointRouteBuilder endpoints, PaymentStore store)
    {
        var bills = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        var v3 = endpoints.MapGroup("/v3");
        v3.MapGet("/pay/transactions/out-trade-no/{outTradeNo}", (string outTradeNo, string? mchid) =>
            mchid != WeChatPayDialect.MerchantId ? Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "mchid 与商户号不匹配")
            : Find(store, outTradeNo) is { } payment ? Results.Json(WeChatPayNotifications.Transaction(payment, store.ChargeOf(outTradeNo)))
            : Missing());
        v3.MapPost("/pay/transactions/out-trade-no/{outTradeNo}/close", (string outTradeNo) => Close(store, outTradeNo));
        v3.MapPost("/refund/domestic/refunds", (HttpRequest request) => RefundAsync(store, request));
        v3.MapGet("/refund/domestic/refunds/{outRefundNo}", (string outRefundNo) =>
            store.FindRefund(outRefundNo) is { IdempotencyKey: { } key } refund && key == outRefundNo && Find(store, refund.PaymentId) is { } payment
                ? Results.Json(RefundObject(store, payment, refund))
                : Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_EXISTS", "退款单不存在"));
        v3.MapGet("/bill/tradebill", (HttpRequest request) => TradeBill(store, bills, request));
        endpoints.MapGet(BillDownloadPath, (string? token) =>
            token is not null && bills.TryGetValue(token, out var bill) ? Results.Bytes(bill, "application/octet-stream") : Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_EXISTS", "账单不存在"));
    }

    public static IResult Error(int statusCode, string code, string message) => Results.Json(new { code, message }, statusCode: statusCode);

    private static PaymentSnapshot? Find(PaymentStore store, string outTradeNo) =>
        store.Find(outTradeNo) is { Provider: PaymentProviders.WeChatPay } payment ? payment : null;

    private static IResult Missing() => Error(StatusCodes.Status404NotFound, "ORDER_NOT_EXIST", "订单不存在");

    private static IResult Close(PaymentStore store, string outTradeNo)
    {
        if (Find(store, outTradeNo) is null)
        {
            return Missing();
        }
        var result = store.Close(outTradeNo);
        return result.Outcome == StoreOutcome.Ok
            ? Results.NoContent()
            : Error(StatusCodes.Status400BadRequest, "ORDERPAID", "订单已支付");
    }

    private static async Task<IResult> RefundAsync(PaymentStore store, HttpRequest request)
    {
        JsonElement body;
        try
        {
            body = await request.ReadFromJsonAsync<JsonElement>(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "请求体不是 JSON");
        }
        string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        long? Number(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : null;

        var outTradeNo = Text(body, "out_trade_no");
        var outRefundNo = Text(body, "out_refund_no");
        var amount = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("amount", out var a) ? a : default;
        var refund = Number(amount, "refund");
        var total = Number(amount, "total");
        var currency = Text(amount, "currency") ?? "CNY";
        if (outTradeNo is null || outRefundNo is null || refund is not > 0 || total is not > 0)
        {
            return Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "out_trade_no, out_refund_no, amount.refund and amount.total are required");
        }
        if (Find(store, outTradeNo) is not { } payment)
        {
            return Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_EXISTS", "订单不存在");
        }
        if (payment.Status == PaymentStatus.Paid && total != payment.PaidAmountMinor)
        {
            return Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "订单金额与原订单不一致");
        }
        // The refund's notify_url, kept with it (WeChat Pay sends the refund's end there); the simulator's notices go to its callback base.
        var metadata = Text(body, "notify_url") is { } notifyUrl ? new Dictionary<string, string> { ["notify_url"] = notifyUrl } : null;
        var result = store.Refund(outTradeNo, outRefundNo, refund.Value, currency, metadata);
        return result.Outcome switch
        {
            // Accepted; the money reaches the payer later (REFUND.SUCCESS, or REFUND.ABNORMAL, follows).
            StoreOutcome.Ok => Results.Json(RefundObject(store, payment, result.Value!, answeringCreate: true)),
            StoreOutcome.Invalid => Error(StatusCodes.Status400BadRequest, "INVALID_REQUEST", "out_refund_no 已用于不同的请求参数"),
            StoreOutcome.Unprocessable => Error(StatusCodes.Status403Forbidden, "NOT_ENOUGH", "退款金额超过可退金额"),
            StoreOutcome.NotFound => Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_EXISTS", "订单不存在"),
            _ => Error(StatusCodes.Status400BadRequest, "INVALID_REQUEST", "订单未支付，不能退款"),
        };
    }

    /// <summary>
    /// A refund as the create answer and the query describe it: PROCESSING while the money is on its way
    /// (always, in the create answer), then SUCCESS, or ABNORMAL for one that failed after acceptance.
    /// </summary>
    private static object RefundObject(PaymentStore store, PaymentSnapshot payment, RefundSnapshot refund, bool answeringCreate = false) => new
    {
        refund_id = refund.RefundId,
        out_refund_no = refund.IdempotencyKey,
        transaction_id = store.ChargeOf(payment.PaymentId),
        out_trade_no = payment.PaymentId,
        channel = "ORIGINAL",
        user_received_account = "支付用户零钱",
        create_time = WeChatPayDialect.ChinaTime(refund.CreatedAt),
        success_time = !answeringCreate && refund.Status == "succeeded" ? WeChatPayDialect.ChinaTime(refund.CreatedAt) : null,
        status = answeringCreate ? "PROCESSING" : RefundStatus(refund),
        funds_account = "AVAILABLE",
        amount = new { total = payment.PaidAmountMinor, refund = refund.AmountMinor, payer_total = payment.PaidAmountMinor, payer_refund = refund.AmountMinor, currency = refund.Currency },
    };

    public static string RefundStatus(RefundSnapshot refund) => refund.Status switch
    {
        "succeeded" => "SUCCESS",
        "failed" => "ABNORMAL",
        "canceled" => "CLOSED",
        _ => "PROCESSING",
    };

    private static IResult TradeBill(PaymentStore store, ConcurrentDictionary<string, byte[]> bills, HttpRequest request)
    {
        if (!DateOnly.TryParseExact(request.Query["bill_date"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "bill_date 格式应为 yyyy-MM-dd");
        }
        if (request.Query["bill_type"].ToString() is { Length: > 0 } type && type != "ALL")
        {
            return Error(StatusCodes.Status400BadRequest, "PARAM_ERROR", "模拟器只提供 ALL 类型账单");
        }
        // WeChat Pay's day ends at midnight China Standard Time.
        var from = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), ChinaStandardTime);
        var entries = store.ProviderLedger(PaymentProviders.WeChatPay, from, from.AddDays(1));
        if (entries.Count == 0)
        {
            return Error(StatusCodes.Status400BadRequest, "NO_STATEMENT_EXIST", "账单文件不存在");
        }
        var bill = WeChatPayBill.Write(entries);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        bills[token] = bill;
        return Results.Json(new
        {
            hash_type = "SHA1",
            hash_value = Convert.ToHexStringLower(SHA1.HashData(bill)),
            download_url = $"{request.Scheme}://{request.Host}{BillDownloadPath}?token={token}",
        });
    }
}
