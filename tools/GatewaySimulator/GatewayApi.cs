using System.Globalization;

namespace GatewaySimulator;

/// <summary>The merchant-facing /v1 API a payments backend integrates against.</summary>
internal static class GatewayApi
{
    private const int MaxIdempotencyKeyLength = 255;

    public static void MapGatewayApi(this IEndpointRouteBuilder endpoints, PaymentStore store, int malformedStatementLines = 0)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapPost("/payments", (HttpRequest request) => CreateAsync(store, request));
        v1.MapGet("/payments/{paymentId}", (string paymentId) =>
            store.Find(paymentId) is { } payment ? Results.Ok(payment) : ApiResults.Error(StatusCodes.Status404NotFound, "payment not found"));
        v1.MapPost("/payments/{paymentId}/close", (string paymentId) => Close(store, paymentId));
        v1.MapPost("/payments/{paymentId}/refunds", (string paymentId, HttpRequest request) => RefundAsync(store, paymentId, request));
        v1.MapGet("/payments/{paymentId}/refunds/{refundId}", (string paymentId, string refundId) =>
            store.FindRefund(paymentId, refundId) is { } refund ? Results.Ok(refund) : ApiResults.Error(StatusCodes.Status404NotFound, "refund not found"));
        v1.MapGet("/statements/{date}", (string date, HttpContext context) => WriteStatementAsync(store, date, malformedStatementLines, context));
    }

    private static async Task<IResult> CreateAsync(PaymentStore store, HttpRequest request)
    {
        var body = await ApiResults.ReadJsonAsync<CreatePaymentRequest>(request).ConfigureAwait(false);
        if (body is null)
        {
            return BadRequest("body must be a JSON object");
        }

        if (!RequestValidation.IsValidId(body.PaymentId))
        {
            return BadRequest($"paymentId is required: up to {RequestValidation.MaxIdLength} characters, no '/', '?', '#' or whitespace");
        }

        if (string.IsNullOrWhiteSpace(body.OrderId) || body.OrderId.Length > RequestValidation.MaxIdLength)
        {
            return BadRequest("orderId is required");
        }

        if (body.AmountMinor is not > 0)
        {
            return BadRequest("amountMinor must be a positive integer in minor units");
        }

        if (!RequestValidation.TryNormalizeCurrency(body.Currency, out var currency))
        {
            return BadRequest("currency must be a three-letter ISO 4217 code");
        }

        var provider = body.Provider?.ToLowerInvariant();
        if (!PaymentProviders.IsKnown(provider))
        {
            return BadRequest("provider must be 'standard', 'stripe', 'wechatpay', 'alipay' or 'adyen'");
        }

        var result = store.Create(body.PaymentId!, body.OrderId, body.AmountMinor.Value, currency, provider!);
        return result.Outcome == StoreOutcome.Created
            ? Results.Created($"/v1/payments/{Uri.EscapeDataString(body.PaymentId!)}", result.Value)
            : Results.Ok(result.Value);
    }

    private static IResult Close(PaymentStore store, string paymentId)
    {
        var result = store.Close(paymentId);
        return result.Outcome switch
        {
            StoreOutcome.Ok => Results.Ok(new { status = PaymentStatus.Closed }),
            StoreOutcome.Conflict => Results.Conflict(new
            {
                status = result.Value!.Status,
                paidAmountMinor = result.Value.PaidAmountMinor,
                currency = result.Value.Currency,
            }),
            _ => ApiResults.Failure(result),
        };
    }

    private static async Task<IResult> RefundAsync(PaymentStore store, string paymentId, HttpRequest request)
    {
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrWhiteSpace(idempotencyKey) || idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            return BadRequest($"an Idempotency-Key header of up to {MaxIdempotencyKeyLength} characters is required");
        }

        var body = await ApiResults.ReadJsonAsync<RefundRequest>(request).ConfigureAwait(false);
        if (body is null)
        {
            return BadRequest("body must be a JSON object");
        }

        if (body.AmountMinor is not > 0)
        {
            return BadRequest("amountMinor must be a positive integer in minor units");
        }

        if (!RequestValidation.TryNormalizeCurrency(body.Currency, out var currency))
        {
            return BadRequest("currency must be a three-letter ISO 4217 code");
        }

        var result = store.Refund(paymentId, idempotencyKey, body.AmountMinor.Value, currency);
        return ApiResults.IsSuccess(result.Outcome) ? Results.Ok(result.Value) : ApiResults.Failure(result);
    }

    private static async Task WriteStatementAsync(PaymentStore store, string date, int malformedLines, HttpContext context)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            await BadRequest("date must be yyyy-MM-dd").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        await StatementCsv.WriteAsync(context.Response.BodyWriter, store.LedgerFor(day), malformedLines, context.RequestAborted).ConfigureAwait(false);
    }

    private static IResult BadRequest(string message) => ApiResults.Error(StatusCodes.Status400BadRequest, message);
}
