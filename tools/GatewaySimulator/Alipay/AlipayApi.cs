using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GatewaySimulator.Alipay;

/// <summary>
/// Alipay's open-platform gateway for payments created with provider <c>alipay</c> (the payment id is
/// the merchant's <c>out_trade_no</c>): one form POST endpoint whose <c>method</c> picks the API
/// (trade query, close, refund, bill download address), requests verified with the app's public key,
/// answers <c>{"{method}_response":{…},"sign":…}</c> signed over the response object's exact text;
/// and the bill download itself, a zip of GBK CSV files.
/// </summary>
internal static partial class AlipayApi
{
    static AlipayApi() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static Encoding Gbk => Encoding.GetEncoding("GBK");

    public static void MapAlipayApi(this IEndpointRouteBuilder endpoints, PaymentStore store, AlipayDialect dialect)
    {
        endpoints.MapPost(AlipayDialect.GatewayPath, (HttpRequest request) => GatewayAsync(store, dialect, request));
        endpoints.MapGet(AlipayDialect.BillPath + "/{date}", (string date) => Bill(store, dialect, date));
    }

    private static async Task<IResult> GatewayAsync(PaymentStore store, AlipayDialect dialect, HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return Answer(dialect, "error_response", Failure("40001", "Missing Required Arguments", "isv.missing-method"));
        }
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        var parameters = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var method = parameters.GetValueOrDefault("method") ?? "";
        var name = method.Replace('.', '_') + "_response";
        if (parameters.GetValueOrDefault("app_id") != dialect.AppId)
        {
            return Answer(dialect, "error_response", Failure("40002", "Invalid Arguments", "isv.invalid-app-id"));
        }
        if (parameters.GetValueOrDefault("sign_type") != "RSA2"
            || !dialect.VerifyApp(AlipayDialect.SignedContent(parameters, "sign"), parameters.GetValueOrDefault("sign") ?? ""))
        {
            return Answer(dialect, "error_response", Failure("40002", "Invalid Arguments", "isv.invalid-signature"));
        }
        JsonElement biz;
        try
        {
            biz = JsonDocument.Parse(parameters.GetValueOrDefault("biz_content") ?? "").RootElement;
        }
        catch (JsonException)
        {
            return Answer(dialect, name, Failure("40002", "Invalid Arguments", "isv.invalid-parameter"));
        }
        string? Text(string field) => biz.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        return method switch
        {
            "alipay.trade.query" => Answer(dialect, name, Query(store, Text("out_trade_no"))),
            "alipay.trade.close" => Answer(dialect, name, Close(store, Text("out_trade_no"))),
            "alipay.trade.refund" => Answer(dialect, name, Refund(store, Text("out_trade_no"), Text("refund_amount"), Text("out_request_no"))),
            "alipay.trade.fastpay.refund.query" => Answer(dialect, name, RefundQuery(store, Text("out_trade_no"), Text("out_request_no"))),
            "alipay.data.dataservice.bill.downloadurl.query" => Answer(dialect, name, BillUrl(request, store, Text("bill_type"), Text("bill_date"))),
            _ => Answer(dialect, "error_response", Failure("40002", "Invalid Arguments", "isv.invalid-method")),
        };
    }

    private static Dictionary<string, object?> Query(PaymentStore store, string? outTradeNo)
    {
        if (Find(store, outTradeNo) is not { } payment)
        {
            return Failure("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        }
        var answer = Succeeded();
        answer["trade_no"] = store.ChargeOf(payment.PaymentId) ?? "";
        answer["out_trade_no"] = payment.PaymentId;
        answer["trade_status"] = TradeStatus(payment);
        answer["total_amount"] = AlipayDialect.Yuan(payment.PaidAmountMinor > 0 ? payment.PaidAmountMinor : payment.AmountMinor);
        answer["buyer_logon_id"] = "159****5620";
        return answer;
    }

    private static Dictionary<string, object?> Close(PaymentStore store, string? outTradeNo)
    {
        if (Find(store, outTradeNo) is not { } payment)
        {
            return Failure("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        }
        // Only a trade still waiting for the buyer can be closed.
        if (payment.Status is PaymentStatus.Pending or PaymentStatus.Failed && store.Close(payment.PaymentId).Outcome == StoreOutcome.Ok)
        {
            var answer = Succeeded();
            answer["out_trade_no"] = payment.PaymentId;
            return answer;
        }
        return Failure("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR");
    }

    private static Dictionary<string, object?> Refund(PaymentStore store, string? outTradeNo, string? refundAmount, string? outRequestNo)
    {
        if (Find(store, outTradeNo) is not { } payment)
        {
            return Failure("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        }
        if (refundAmount is null || !YuanPattern().IsMatch(refundAmount))
        {
            return Failure("40002", "Invalid Arguments", "isv.invalid-parameter");
        }
        var fen = (long)(decimal.Parse(refundAmount, CultureInfo.InvariantCulture) * 100);
        // Without out_request_no Alipay takes the trade number: one refund per trade.
        var result = store.Refund(payment.PaymentId, AlipayDialect.RefundKeyPrefix + (outRequestNo ?? payment.PaymentId), fen, payment.Currency);
        return result.Outcome switch
        {
            StoreOutcome.Ok or StoreOutcome.Created => RefundAnswer(store, payment.PaymentId),
            StoreOutcome.Unprocessable => Failure("40004", "Business Failed", "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"),
            StoreOutcome.Invalid => Failure("40004", "Business Failed", "ACQ.REQUEST_AMOUNT_EXCEED"),
            _ => Failure("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR"),
        };
    }

    /// <summary>
    /// <c>alipay.trade.fastpay.refund.query</c>: a refund that went through names its amount and
    /// <c>refund_status=REFUND_SUCCESS</c>; one that did not (or is unknown) is answered without either.
    /// </summary>
    private static Dictionary<string, object?> RefundQuery(PaymentStore store, string? outTradeNo, string? outRequestNo)
    {
        if (Find(store, outTradeNo) is not { } payment)
        {
            return Failure("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        }
        var answer = Succeeded();
        answer["trade_no"] = store.ChargeOf(payment.PaymentId) ?? "";
        answer["out_trade_no"] = payment.PaymentId;
        answer["out_request_no"] = outRequestNo ?? payment.PaymentId;
        answer["total_amount"] = AlipayDialect.Yuan(payment.PaidAmountMinor);
        if (store.FindRefund(payment.PaymentId, AlipayDialect.RefundKeyPrefix + (outRequestNo ?? payment.PaymentId)) is { Status: "succeeded" } refund)
        {
            answer["refund_amount"] = AlipayDialect.Yuan(refund.AmountMinor);
            answer["refund_status"] = "REFUND_SUCCESS";
        }
        return answer;
    }

    private static Dictionary<string, object?> RefundAnswer(PaymentStore store, string paymentId)
    {
        var payment = store.Find(paymentId)!;
        var answer = Succeeded();
        answer["trade_no"] = store.ChargeOf(paymentId) ?? "";
        answer["out_trade_no"] = paymentId;
        answer["fund_change"] = "Y";
        answer["refund_fee"] = AlipayDialect.Yuan(payment.RefundedMinor);
        return answer;
    }

    private static Dictionary<string, object?> BillUrl(HttpRequest request, PaymentStore store, string? billType, string? billDate)
    {
        // As Alipay does, a day without a trade or a refund has no bill: the answer is isp.bill_not_exist.
        if (billType != "trade" || !DateOnly.TryParseExact(billDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            || store.AlipayLedger(day).Count == 0)
        {
            return Failure("40004", "Business Failed", "isp.bill_not_exist");
        }
        var answer = Succeeded();
        answer["bill_download_url"] = $"{request.Scheme}://{request.Host}{AlipayDialect.BillPath}/{billDate}";
        return answer;
    }

    /// <summary>The day's trade bill: a zip of the business detail and its summary, GBK CSV framed by '#' lines.</summary>
    private static IResult Bill(PaymentStore store, AlipayDialect dialect, string date)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Results.NotFound();
        }
        var entries = store.AlipayLedger(day);
        var detail = new StringBuilder()
            .Append("#支付宝业务明细查询\r\n")
            .Append(CultureInfo.InvariantCulture, $"#账号：[{dialect.SellerId}0156]\r\n")
            .Append(CultureInfo.InvariantCulture, $"#起始日期：[{day:yyyy年MM月dd日} 00:00:00]   终止日期：[{day.AddDays(1):yyyy年MM月dd日} 00:00:00]\r\n")
            .Append("#-----------------------------------------业务明细列表----------------------------------------\r\n")
            .Append("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注\r\n");
        foreach (var entry in entries)
        {
            var capture = entry.Type == "capture";
            var amount = (capture ? "" : "-") + AlipayDialect.Yuan(entry.AmountMinor);
            var time = AlipayDialect.ChinaTime(entry.OccurredAt);
            // Cells padded with tabs, as Alipay pads them; the subject quoted because it holds a comma.
            detail.Append(CultureInfo.InvariantCulture,
                $"{store.ChargeOf(entry.PaymentId)}\t,{entry.PaymentId}\t,{(capture ? "交易" : "退款")}\t,\"测试商品, {entry.OrderId}\"\t,{time},{time},\t,\t,\t,\t,159****5620\t,{amount},{amount},0.00,0.00,0.00,0.00,0.00,\t,0.00,0.00,{(capture ? "" : RefundNumber(store, entry.SourceId))}\t,0.00,0.00,{entry.OrderId}\r\n");
        }
        detail.Append("#-----------------------------------------业务明细列表结束------------------------------------\r\n")
            .Append(CultureInfo.InvariantCulture, $"#交易合计：{entries.Count(e => e.Type == "capture")}笔\r\n")
            .Append(CultureInfo.InvariantCulture, $"#退款合计：{entries.Count(e => e.Type != "capture")}笔\r\n");
        var summary = "#支付宝业务汇总查询\r\n门店编号,门店名称,交易订单总笔数,退款订单总笔数\r\n合计,,"
            + entries.Count(e => e.Type == "capture") + "," + entries.Count(e => e.Type != "capture") + "\r\n";

        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Gbk))
        {
            var prefix = $"{dialect.SellerId}0156_{day:yyyyMMdd}";
            foreach (var (file, text) in new[] { ($"{prefix}_业务明细(汇总).csv", summary), ($"{prefix}_业务明细.csv", detail.ToString()) })
            {
                using var stream = archive.CreateEntry(file).Open();
                stream.Write(Gbk.GetBytes(text));
            }
        }
        return Results.File(zip.ToArray(), "application/zip", $"{day:yyyyMMdd}.zip");
    }

    private static PaymentSnapshot? Find(PaymentStore store, string? outTradeNo) =>
        outTradeNo is not null && store.Find(outTradeNo) is { Provider: PaymentProviders.Alipay } payment ? payment : null;

    private static string TradeStatus(PaymentSnapshot payment) => payment.Status switch
    {
        // A fully refunded trade closes.
        PaymentStatus.Paid => payment.RefundedMinor >= payment.PaidAmountMinor ? "TRADE_CLOSED" : "TRADE_SUCCESS",
        PaymentStatus.Closed => "TRADE_CLOSED",
        _ => "WAIT_BUYER_PAY",
    };

    private static Dictionary<string, object?> Succeeded() => new() { ["code"] = "10000", ["msg"] = "Success" };

    private static Dictionary<string, object?> Failure(string code, string msg, string subCode) =>
        new() { ["code"] = code, ["msg"] = msg, ["sub_code"] = subCode, ["sub_msg"] = subCode };

    /// <summary>The response object under its name and the platform's signature over that object's exact text.</summary>
    private static IResult Answer(AlipayDialect dialect, string name, Dictionary<string, object?> response)
    {
        var node = JsonSerializer.Serialize(response);
        var body = $"{{\"{name}\":{node},\"sign\":\"{dialect.Sign(node)}\"}}";
        return Results.Text(body, "application/json; charset=utf-8", Encoding.UTF8);
    }

    [GeneratedRegex(@"^[0-9]{1,13}(\.[0-9]{1,2})?\z")]
    private static partial Regex YuanPattern();

    private static string RefundNumber(PaymentStore store, string refundId) =>
        store.FindRefund(refundId) is { } refund ? AlipayDialect.RequestNo(refund) : refundId;
}
