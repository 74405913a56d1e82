using System.Globalization;
using System.Runtime.CompilerServices;
using Payments.Contracts;
using Payments.Secrets;
using Stripe;

namespace Payments.Gateway.Stripe;

/// <summary>
/// The Stripe connector's outbound port, through Stripe.net: the payment id is the PaymentIntent id.
/// Query retrieves the intent, close cancels it, refund creates a Refund with the pipeline's
/// idempotency key, the statement is the day's balance transactions, auto-paginated. With an API key
/// that is not usable (unset, or an unresolved Key Vault reference) it sends nothing.
/// </summary>
public sealed class StripeGateway(Func<IStripeClient> client, SecretSetting apiKey) : IPaymentGateway
{
    private const string Provider = "stripe";

    public async Task<GatewayPayment> QueryPaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        var intents = new PaymentIntentService(Client());
        try
        {
            return ToPayment(await intents.GetAsync(payment.PaymentId, cancellationToken: ct));
        }
        catch (StripeException ex) when (IsMissing(ex))
        {
            return new GatewayPayment(GatewayPaymentState.NotFound, 0, "");
        }
        catch (StripeException ex)
        {
            throw Refused("query", payment.PaymentId, ex);
        }
    }

    public async Task<CloseResult> ClosePaymentAsync(PaymentRef payment, CancellationToken ct = default)
    {
        var intents = new PaymentIntentService(Client());
        try
        {
            var canceled = await intents.CancelAsync(payment.PaymentId, cancellationToken: ct);
            return new CloseResult(true, 0, Currency(canceled.Currency));
        }
        catch (StripeException ex) when (IsMissing(ex))
        {
            // Never created at Stripe: nothing can be paid on it, which is what closing means.
            return new CloseResult(true, 0, "");
        }
        catch (StripeException ex) when (ex.StripeError?.Code == "payment_intent_unexpected_state")
        {
            // Stripe refuses to cancel an intent that already succeeded (or was canceled before): read what it is.
            var intent = ex.StripeError.PaymentIntent ?? await intents.GetAsync(payment.PaymentId, cancellationToken: ct);
            return intent.Status switch
            {
                "succeeded" => new CloseResult(false, intent.AmountReceived, Currency(intent.Currency)),
                "canceled" => new CloseResult(true, 0, Currency(intent.Currency)),
                _ => throw Refused("cancel", payment.PaymentId, ex),
            };
        }
        catch (StripeException ex)
        {
            throw Refused("cancel", payment.PaymentId, ex);
        }
    }

    /// <summary>
    /// Reads the intent's refunds first: one that is under way or done (created under an earlier key
    /// whose answer was lost, or under a key Stripe has forgotten after 24 h) is this refund, and a
    /// second is never created beside it. Only the rest of the amount, if any, is refunded under the
    /// request's key. A refusal Stripe answers for that key is final for the key (Stripe replays it),
    /// so it surfaces as <see cref="GatewayRefusedException"/> and the next try uses the next attempt's key.
    /// A request still in flight under the key (409 <c>idempotency_key_in_use</c>) is no refusal: it
    /// surfaces as <see cref="GatewayRequestInFlightException"/>, retried under the same key.
    /// </summary>
    public async Task<RefundResult> RefundAsync(RefundRequest refund, string idempotencyKey, CancellationToken ct = default)
    {
        var refunds = new RefundService(Client());
        try
        {
            var live = new List<global::Stripe.Refund>();
            // The pipeline's own refund is the payment's one (whatever refunded it already counts); an after-sales
            // refund is one of several, each paid once by its own idempotency key.
            if (refund.RequestKey is null)
            {
                await foreach (var existing in refunds.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = refund.PaymentId, Limit = 100 }, cancellationToken: ct))
                {
                    if (existing.Status is "succeeded" or "pending" or "requires_action")
                    {
                        live.Add(existing);
                    }
                }
            }
            var remaining = refund.AmountMinor - live.Sum(r => r.Amount);
            if (live.Count > 0 && remaining <= 0)
            {
                return new RefundResult(live[0].Id, StateOf(live[0].Status));
            }
            var options = new RefundCreateOptions
            {
                PaymentIntent = refund.PaymentId,
                Amount = remaining,
                // The order id rides along, so the refund's balance transaction names its order on the statement.
                // The total asked for and the attempt's number too: should Stripe fail the refund after accepting
                // it, its charge.refund.updated event says what to ask again, and under which key.
                Metadata = new Dictionary<string, string>
                {
                    ["order_id"] = refund.OrderId,
                    ["reason"] = refund.Reason,
                    ["refund_total"] = refund.AmountMinor.ToString(CultureInfo.InvariantCulture),
                    ["attempt"] = refund.Attempt.ToString(CultureInfo.InvariantCulture),
                    // What a query finds the refund by when its answer (and so its id) was lost.
                    [RefundKeyMetadata] = idempotencyKey,
                },
            };
            var created = await refunds.CreateAsync(options, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
            return new RefundResult(created.Id, StateOf(created.Status));
        }
        catch (StripeException ex) when (IsKeyInUse(ex))
        {
            throw new GatewayRequestInFlightException(Provider, "refund", refund.PaymentId, idempotencyKey);
        }
        catch (StripeException ex) when (IsRefusal(ex))
        {
            throw Refused("refund", refund.PaymentId, ex);
        }
    }

    /// <summary>The refund's metadata key holding the pipeline's idempotency key for it.</summary>
    public const string RefundKeyMetadata = "refund_key";

    /// <summary>
    /// Stripe's refund retrieve (<c>GET /v1/refunds/{id}</c>); a refund whose id the pipeline never learnt
    /// is looked for among the intent's refunds by the key in its metadata, and none there is one Stripe has not made.
    /// </summary>
    public async Task<GatewayRefund> QueryRefundAsync(RefundRef refund, CancellationToken ct = default)
    {
        var refunds = new RefundService(Client());
        try
        {
            if (refund.GatewayRefundId is { } id)
            {
                var found = await refunds.GetAsync(id, cancellationToken: ct);
                return new GatewayRefund(StateOf(found.Status), found.Id);
            }
            // The answer that named it was lost (or the request is still in flight): the intent's refunds, by the key it was created under.
            await foreach (var listed in refunds.ListAutoPagingAsync(new RefundListOptions { PaymentIntent = refund.PaymentId, Limit = 100 }, cancellationToken: ct))
            {
                if (listed.Metadata?.GetValueOrDefault(RefundKeyMetadata) == refund.IdempotencyKey)
                {
                    return new GatewayRefund(StateOf(listed.Status), listed.Id);
                }
            }
            return new GatewayRefund(RefundState.Requested, null);
        }
        catch (StripeException ex) when (IsRefusal(ex))
        {
            throw Refused("refund query", refund.PaymentId, ex);
        }
    }

    /// <summary>A Stripe Refund's <c>status</c>: <c>pending</c> and <c>requires_action</c> are on their way, <c>succeeded</c> paid, <c>failed</c> and <c>canceled</c> not.</summary>
    public static RefundState StateOf(string? status) => status switch
    {
        "succeeded" => RefundState.Succeeded,
        "failed" => RefundState.Failed,
        "canceled" => RefundState.Closed,
        _ => RefundState.Pending,
    };

    public async IAsyncEnumerable<StatementEntry> GetStatementAsync(DateOnly date, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var transactions = new BalanceTransactionService(Client());
        var day = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var options = new BalanceTransactionListOptions
        {
            Created = new DateRangeOptions { GreaterThanOrEqual = day, LessThan = day.AddDays(1) },
            Limit = 100,
            // The charge or refund behind each movement carries the intent and the order id.
            Expand = ["data.source"],
        };
        long number = 0;
        await foreach (var transaction in transactions.ListAutoPagingAsync(options, cancellationToken: ct))
        {
            // Numbered by balance transaction, payment or not, so a malformed one can be found in the dashboard's list.
            number++;
            if (ToEntry(number, transaction) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>
    /// <c>succeeded</c> is paid with what was received; <c>canceled</c> is closed; everything else is
    /// not final — <c>requires_payment_method</c> after a decline included, as the customer may retry.
    /// </summary>
    public static GatewayPayment ToPayment(PaymentIntent intent) => intent.Status switch
    {
        "succeeded" => new GatewayPayment(GatewayPaymentState.Paid, intent.AmountReceived, Currency(intent.Currency)),
        "canceled" => new GatewayPayment(GatewayPaymentState.Closed, 0, Currency(intent.Currency)),
        _ => new GatewayPayment(GatewayPaymentState.Pending, 0, Currency(intent.Currency)),
    };

    /// <summary>
    /// A balance transaction as a statement entry: a payment's movement parsed, one that names a payment
    /// but cannot be read (its source not expanded, no currency code on the charge or refund) malformed by
    /// its number, and any other movement (fees, payouts) null: it is no payment's.
    /// </summary>
    public static StatementEntry? ToEntry(long number, BalanceTransaction transaction)
    {
        if (transaction.Type is "charge" or "payment" or "refund" or "payment_refund")
        {
            if (transaction.Source is null)
            {
                return StatementEntry.Malformed(number, $"{transaction.Type} without its source (expand data.source)");
            }
            var sourceCurrency = transaction.Source switch
            {
                Charge charge => charge.Currency,
                global::Stripe.Refund refund => refund.Currency,
                _ => null,
            };
            if (!IsCurrencyCode(sourceCurrency))
            {
                return StatementEntry.Malformed(number, $"{transaction.Type} without an ISO 4217 currency on its source");
            }
        }
        return ToLine(transaction) is { } line ? StatementEntry.Parsed(number, line) : null;
    }

    /// <summary>
    /// Charges become captures and refunds refunds, each in its own amount and currency: a balance
    /// transaction is in the account's settlement currency (a 2000 EUR charge on a USD account books
    /// 2176 USD at <c>exchange_rate</c> 1.088), which is not what the customer paid nor what a refund may
    /// ask for. The balance transaction's amount, fee, net and rate ride beside as the line's
    /// <see cref="StatementSettlement"/>. Other movements (fees, payouts) are no payment's.
    /// </summary>
    public static StatementLine? ToLine(BalanceTransaction transaction)
    {
        var (type, paymentId, metadata, amount, currency, refundId) = transaction.Source switch
        {
            // A charge captured in part books only what was captured.
            Charge charge when transaction.Type is "charge" or "payment" =>
                ("capture", charge.PaymentIntentId, charge.Metadata, charge.AmountCaptured > 0 ? charge.AmountCaptured : charge.Amount, charge.Currency, null),
            global::Stripe.Refund refund when transaction.Type is "refund" or "payment_refund" =>
                ("refund", refund.PaymentIntentId, refund.Metadata, refund.Amount, refund.Currency, refund.Id),
            _ => (null, null, null, 0L, null, null),
        };
        if (type is null || paymentId is null)
        {
            return null;
        }
        var orderId = metadata?.GetValueOrDefault("order_id") ?? "";
        var settlement = IsCurrencyCode(transaction.Currency)
            ? new StatementSettlement(transaction.Amount, Currency(transaction.Currency), transaction.Fee, transaction.Net, transaction.ExchangeRate)
            : null;
        return new StatementLine(paymentId, orderId, type, Math.Abs(amount), Currency(currency),
            new DateTimeOffset(DateTime.SpecifyKind(transaction.Created, DateTimeKind.Utc)), Settlement: settlement, RefundId: refundId);
    }

    private static bool IsCurrencyCode(string? currency) => currency is { Length: 3 } && currency.All(char.IsAsciiLetter);

    // Stripe amounts are already in the currency's smallest unit (a zero-decimal currency such as JPY has
    // no cents), which is what the pipeline's minor units mean: no scaling either way.
    private static string Currency(string? currency) => currency?.ToUpperInvariant() ?? "";

    private static bool IsMissing(StripeException ex) =>
        ex.StripeError?.Code == "resource_missing" || ex.HttpStatusCode == System.Net.HttpStatusCode.NotFound;

    /// <summary>
    /// Stripe answered with an error object and a 4xx other than 429 (too many requests) and other than
    /// a key still in use: asking again with the same key gets the same answer.
    /// </summary>
    private static bool IsRefusal(StripeException ex) =>
        ex.StripeError is not null && (int)ex.HttpStatusCode is >= 400 and < 500 and not 429 && !IsKeyInUse(ex);

    /// <summary>
    /// Stripe's 409 <c>idempotency_key_in_use</c>: the first request under the key is still executing.
    /// Stripe saves no answer for it; retried later with the same key, it gets the first request's.
    /// </summary>
    private static bool IsKeyInUse(StripeException ex) =>
        ex.HttpStatusCode == System.Net.HttpStatusCode.Conflict && ex.StripeError?.Code == "idempotency_key_in_use";

    private static GatewayRefusedException Refused(string operation, string paymentId, StripeException ex) =>
        new(Provider, operation, paymentId, (int)ex.HttpStatusCode, ex.StripeError?.Type, ex.StripeError?.Code, ex.StripeError?.Message);

    private IStripeClient Client() =>
        apiKey.IsSet ? client() : throw new GatewayCredentialsUnavailableException(apiKey.Problem!);
}
