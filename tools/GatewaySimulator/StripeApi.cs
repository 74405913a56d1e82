using System.Globalization;
using System.Text.Json;

namespace GatewaySimulator;

/// <summary>
/// Stripe's dialect of the merchant API, for payments created with provider <c>stripe</c> (the payment
/// id is the PaymentIntent id): the endpoints Stripe.net calls, form-encoded requests, Stripe's JSON
/// objects, list envelopes and error objects, written from Stripe's public API reference.
/// </summary>
internal static class StripeApi
{
    private const int DefaultLimit = 10;
    private const int MaxLimit = 100;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void MapStripeApi(this IEndpointRouteBuilder endpoints, PaymentStore store, StripeIdempotency replies, StripeSettlement settlement)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapGet("/payment_intents/{id}", (string id) =>
            FindIntent(store, id) is { } payment ? Ok(PaymentIntent(store, payment)) : Missing("payment_intent", id, "intent"));
        v1.MapPost("/payment_intents/{id}/cancel", (string id) => Cancel(store, id));
        v1.MapPost("/refunds", (HttpRequest request) => RefundAsync(store, replies, request));
        v1.MapGet("/refunds", (HttpRequest request) => ListRefunds(store, request));
        v1.MapGet("/refunds/{id}", (string id) =>
            store.FindRefund(id) is { } refund && FindIntent(store, refund.PaymentId) is { } payment
                ? Ok(Refund(refund, payment.OrderId, store.ChargeOf(payment.PaymentId)))
                : Missing("refund", id, "id"));
        v1.MapGet("/balance_transactions", (HttpRequest request) => ListBalanceTransactions(store, settlement, request));
    }

    /// <summary>Stripe-dialect paths, so the API guard answers them with Stripe's error object.</summary>
    public static bool IsStripePath(PathString path) =>
        path.StartsWithSegments("/v1/payment_intents") || path.StartsWithSegments("/v1/refunds") || path.StartsWithSegments("/v1/balance_transactions");

    public static IResult Error(int statusCode, string type, string? code, string message, string? param = null, object? paymentIntent = null) =>
        Results.Json(new { error = new { type, code, message, param, payment_intent = paymentIntent } }, Json, statusCode: statusCode);

    private static PaymentSnapshot? FindIntent(PaymentStore store, string id) =>
        store.Find(id) is { Provider: PaymentProviders.Stripe } payment ? payment : null;

    private static IResult Cancel(PaymentStore store, string id)
    {
        if (FindIntent(store, id) is not { } payment)
        {
            return Missing("payment_intent", id, "intent");
        }
        // Stripe cancels only an intent still waiting for payment; anything else is an unexpected state.
        if (payment.Status is PaymentStatus.Pending or PaymentStatus.Failed)
        {
            var result = store.Close(id);
            if (result.Outcome == StoreOutcome.Ok)
            {
                return Ok(PaymentIntent(store, result.Value!));
            }
            payment = result.Value ?? payment;
        }
        var status = IntentStatus(payment.Status);
        return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "payment_intent_unexpected_state",
            $"You cannot cancel this PaymentIntent because it has a status of {status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.",
            paymentIntent: PaymentIntent(store, payment));
    }

    /// <summary>
    /// Stripe saves the first answer for an Idempotency-Key once the endpoint started executing, errors
    /// included, and replays it for 24 h; a request that fails validation saves nothing. A key reused
    /// with other parameters is an <c>idempotency_error</c>. Successes replay from the store's refunds. A
    /// request that arrives while another under its key is executing is answered 409
    /// <c>idempotency_key_in_use</c>: retry later with the same key.
    /// </summary>
    private static async Task<IResult> RefundAsync(PaymentStore store, StripeIdempotency replies, HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "parameter_missing", "Requests to the Stripe API are form-encoded.");
        }
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        var intentId = form["payment_intent"].ToString();
        // Stripe makes the key optional; without one every request is new.
        var key = request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrEmpty(key))
        {
            key = "auto-" + Guid.NewGuid().ToString("N");
        }
        var parameters = $"{intentId}|{form["amount"]}";
        // A second request while the first under the key still executes (for real, or scripted) is told to come back later.
        if (store.TakeRefundInFlight(intentId) || !replies.TryBegin(key))
        {
            return StripeIdempotency.InUse(key).ToResult();
        }
        StripeAnswer answer;
        try
        {
            answer = replies.Find(key, parameters) ?? CreateRefund(store, form, intentId, key);
            if (answer.Executed)
            {
                replies.Save(key, parameters, answer);
            }
        }
        finally
        {
            replies.End(key);
        }
        // The refund happened (or was refused) at the gateway; only its answer is lost on the way back.
        if (store.LosesRefundAnswers(intentId))
        {
            request.HttpContext.Abort();
            return Results.Empty;
        }
        return answer.ToResult();
    }

    private static StripeAnswer CreateRefund(PaymentStore store, IFormCollection form, string intentId, string key)
    {
        if (string.IsNullOrEmpty(intentId))
        {
            return StripeAnswer.Invalid(Error(StatusCodes.Status400BadRequest, "invalid_request_error", "parameter_missing", "One of the following params should be provided for this request: payment_intent or charge.", "payment_intent"));
        }
        if (FindIntent(store, intentId) is not { } payment)
        {
            return StripeAnswer.Invalid(Missing("payment_intent", intentId, "payment_intent"));
        }
        long? amount = null;
        if (form.TryGetValue("amount", out var amountText))
        {
            if (!long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
            {
                return StripeAnswer.Invalid(Error(StatusCodes.Status400BadRequest, "invalid_request_error", "parameter_invalid_integer", "Invalid positive integer", "amount"));
            }
            amount = parsed;
        }
        var refundAmount = amount ?? payment.PaidAmountMinor - payment.RefundedMinor;
        // metadata[name]=value, as Stripe.net sends a dictionary; kept on the refund and shown wherever Stripe shows it.
        var metadata = form.Keys.Where(k => k.StartsWith("metadata[", StringComparison.Ordinal) && k.EndsWith(']'))
            .ToDictionary(k => k["metadata[".Length..^1], k => form[k].ToString(), StringComparer.Ordinal);
        var result = store.Refund(intentId, key, refundAmount, payment.Currency, metadata);
        return result.Outcome switch
        {
            StoreOutcome.Ok => StripeAnswer.Done(Ok(Refund(result.Value!, payment.OrderId, store.ChargeOf(intentId)))),
            StoreOutcome.Invalid when result.Error!.Contains("Idempotency-Key", StringComparison.Ordinal) => StripeAnswer.Invalid(Error(StatusCodes.Status400BadRequest, "idempotency_error", null,
                $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.")),
            StoreOutcome.Unprocessable => StripeAnswer.Refused(Error(StatusCodes.Status400BadRequest, "invalid_request_error", "amount_too_large", result.Error!, "amount")),
            StoreOutcome.Refused => StripeAnswer.Refused(Error(StatusCodes.Status400BadRequest, "invalid_request_error", "balance_insufficient", result.Error!)),
            StoreOutcome.NotFound => StripeAnswer.Invalid(Missing("payment_intent", intentId, "payment_intent")),
            _ => StripeAnswer.Refused(Error(StatusCodes.Status400BadRequest, "invalid_request_error", "charge_not_refundable",
                $"This PaymentIntent does not have a successful charge to refund ({result.Error}).")),
        };
    }

    /// <summary>The refunds of one PaymentIntent (<c>GET /v1/refunds?payment_intent=…</c>), newest first, one page.</summary>
    private static IResult ListRefunds(PaymentStore store, HttpRequest request)
    {
        var intentId = request.Query["payment_intent"].ToString();
        if (string.IsNullOrEmpty(intentId) || FindIntent(store, intentId) is not { } payment)
        {
            return Missing("payment_intent", intentId, "payment_intent");
        }
        if (store.LosesRefundListAnswers(intentId))
        {
            request.HttpContext.Abort();
            return Results.Empty;
        }
        var limit = int.TryParse(request.Query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "parameter_invalid_integer", $"This value must be between 1 and {MaxLimit}.", "limit");
        }
        IEnumerable<RefundSnapshot> refunds = store.RefundsOf(intentId).Reverse();
        if (request.Query["starting_after"].ToString() is { Length: > 0 } after)
        {
            refunds = refunds.SkipWhile(r => r.RefundId != after).Skip(1);
        }
        var page = refunds.Take(limit + 1).ToArray();
        var data = page.Take(limit).Select(r => Refund(r, payment.OrderId, store.ChargeOf(intentId))).ToArray();
        return Ok(new { @object = "list", data, has_more = page.Length > limit, url = "/v1/refunds" });
    }

    private static IResult ListBalanceTransactions(PaymentStore store, StripeSettlement settlement, HttpRequest request)
    {
        var query = request.Query;
        var from = UnixQuery(query["created[gte]"]) ?? DateTimeOffset.MinValue;
        var to = UnixQuery(query["created[lt]"]) ?? DateTimeOffset.MaxValue;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request_error", "parameter_invalid_integer", $"This value must be between 1 and {MaxLimit}.", "limit");
        }
        var expandSource = query.Where(q => q.Key.StartsWith("expand[", StringComparison.Ordinal) || q.Key == "expand")
            .SelectMany(q => q.Value).Contains("data.source");

        IEnumerable<LedgerEntry> entries = store.StripeLedger(from, to);
        if (query["starting_after"].ToString() is { Length: > 0 } after)
        {
            if (TransactionSequence(after) is not { } sequence)
            {
                return Missing("balance_transaction", after, "starting_after");
            }
            entries = entries.Where(e => e.Sequence < sequence);
        }
        var page = entries.Take(limit + 1).ToArray();
        var data = page.Take(limit).Select(e => BalanceTransaction(e, settlement, expandSource)).ToArray();
        return Ok(new { @object = "list", data, has_more = page.Length > limit, url = "/v1/balance_transactions" });
    }

    private static object PaymentIntent(PaymentStore store, PaymentSnapshot payment)
    {
        var status = IntentStatus(payment.Status);
        return new
        {
            id = payment.PaymentId,
            @object = "payment_intent",
            amount = payment.AmountMinor,
            amount_capturable = 0,
            amount_received = payment.Status == PaymentStatus.Paid ? payment.PaidAmountMinor : 0,
            canceled_at = payment.Status == PaymentStatus.Closed ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() : (long?)null,
            cancellation_reason = payment.Status == PaymentStatus.Closed ? "abandoned" : null,
            capture_method = "automatic",
            created = (payment.PaidAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            currency = payment.Currency.ToLowerInvariant(),
            last_payment_error = payment.Status == PaymentStatus.Failed
                ? new { type = "card_error", code = "card_declined", decline_code = "generic_decline", message = "Your card was declined." }
                : null,
            latest_charge = store.ChargeOf(payment.PaymentId),
            livemode = false,
            metadata = new Dictionary<string, string> { ["order_id"] = payment.OrderId },
            payment_method_types = new[] { "card" },
            status,
        };
    }

    internal static object Refund(RefundSnapshot refund, string orderId, string? chargeId) => new
    {
        id = refund.RefundId,
        @object = "refund",
        amount = refund.AmountMinor,
        charge = chargeId,
        created = refund.CreatedAt.ToUnixTimeSeconds(),
        currency = refund.Currency.ToLowerInvariant(),
        metadata = new Dictionary<string, string>(refund.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal) { ["order_id"] = orderId },
        payment_intent = refund.PaymentId,
        reason = (string?)null,
        status = refund.Status,
    };

    /// <summary>
    /// A movement as Stripe books it: the charge or refund (its own amount and currency) as the source,
    /// the balance transaction's <c>amount</c>, <c>fee</c> and <c>net</c> in the account's settlement
    /// currency, negative for a refund, with <c>exchange_rate</c> when the two currencies differ.
    /// </summary>
    private static object BalanceTransaction(LedgerEntry entry, StripeSettlement settlement, bool expandSource)
    {
        var created = entry.OccurredAt.ToUnixTimeSeconds();
        var currency = entry.Currency.ToLowerInvariant();
        var capture = entry.Type == "capture";
        var (settledCurrency, settled, exchangeRate) = settlement.Book(entry.AmountMinor, entry.Currency);
        var amount = capture ? settled : -settled;
        var metadata = new Dictionary<string, string> { ["order_id"] = entry.OrderId };
        object source = !expandSource ? entry.SourceId
            : capture
                ? new { id = entry.SourceId, @object = "charge", amount = entry.AmountMinor, amount_captured = entry.AmountMinor, captured = true, created, currency, metadata, paid = true, payment_intent = entry.PaymentId, status = "succeeded" }
                : new { id = entry.SourceId, @object = "refund", amount = entry.AmountMinor, created, currency, metadata, payment_intent = entry.PaymentId, status = "succeeded" };
        return new
        {
            id = TransactionId(entry.Sequence),
            @object = "balance_transaction",
            amount,
            available_on = created,
            created,
            currency = settledCurrency.ToLowerInvariant(),
            description = capture ? "Payment" : "REFUND FOR PAYMENT",
            exchange_rate = exchangeRate,
            fee = 0,
            net = amount,
            reporting_category = capture ? "charge" : "refund",
            source,
            status = "available",
            type = capture ? "charge" : "refund",
        };
    }

    private static string IntentStatus(string status) => status switch
    {
        PaymentStatus.Paid => "succeeded",
        PaymentStatus.Closed => "canceled",
        // Pending, or declined: the customer may still pay on the same intent.
        _ => "requires_payment_method",
    };

    private static string TransactionId(long sequence) => "txn_" + sequence.ToString("D16", CultureInfo.InvariantCulture);

    private static long? TransactionSequence(string id) =>
        id.StartsWith("txn_", StringComparison.Ordinal) && long.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;

    private static DateTimeOffset? UnixQuery(string? value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static IResult Ok(object value) => Results.Json(value, Json);

    private static IResult Missing(string kind, string id, string param) =>
        Error(StatusCodes.Status404NotFound, "invalid_request_error", "resource_missing", $"No such {kind}: '{id}'", param);
}
