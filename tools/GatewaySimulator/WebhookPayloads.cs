using System.Globalization;
using System.Text.Json;
using GatewaySimulator.WeChatPay;

namespace GatewaySimulator;

/// <summary>Turns a provider-neutral payment event into the body each provider really sends.</summary>
internal static class WebhookPayloads
{
    /// <summary>The API version Stripe renders the events with: the webhook endpoint's, which the pipeline requires to be the one its Stripe.net pins.</summary>
    public const string StripeApiVersion = "2026-10-28.endive";

    /// <summary>The event's webhook in its provider's dialect, or null where that provider sends none for it.</summary>
    public static WebhookMessage? Build(PaymentEvent paymentEvent, Random random, long sequence, WeChatPayDialect weChatPay, Alipay.AlipayDialect alipay, byte[] adyenKey) =>
        paymentEvent.Payment.Provider switch
        {
            // Stripe (charge.refund.updated) and WeChat Pay (REFUND.ABNORMAL) announce a refund that failed after it was accepted.
            not (PaymentProviders.Stripe or PaymentProviders.WeChatPay) when paymentEvent.Kind == PaymentEventKind.RefundFailed => null,
            // Only Stripe (charge.dispute.*) and Adyen (chargebacks) announce disputes here.
            not (PaymentProviders.Stripe or PaymentProviders.Adyen) when paymentEvent.Kind == PaymentEventKind.Disputed => null,
            PaymentProviders.Stripe when paymentEvent.Kind == PaymentEventKind.Disputed => BuildStripeDispute(paymentEvent, "evt_" + SeededRandom.Alphanumeric(random, 24), sequence),
            PaymentProviders.Stripe => BuildStripe(paymentEvent, "evt_" + SeededRandom.Alphanumeric(random, 24), sequence),
            PaymentProviders.WeChatPay => WeChatPayNotifications.Build(paymentEvent, random, sequence, weChatPay),
            PaymentProviders.Adyen => Adyen.AdyenNotifications.Build(adyenKey, paymentEvent, sequence),
            PaymentProviders.Alipay => Alipay.AlipayNotifications.Build(alipay, paymentEvent, random, sequence),
            _ => BuildStandard(paymentEvent, "msg_" + SeededRandom.Hex(random, 32), sequence),
        };

    private static WebhookMessage BuildStandard(PaymentEvent paymentEvent, string messageId, long sequence)
    {
        var payment = paymentEvent.Payment;
        var (type, amount, currency) = paymentEvent.Kind switch
        {
            PaymentEventKind.Succeeded => ("payment.succeeded", payment.PaidAmountMinor, payment.Currency),
            PaymentEventKind.Failed => ("payment.failed", payment.AmountMinor, payment.Currency),
            _ => ("payment.refunded", paymentEvent.Refund!.AmountMinor, paymentEvent.Refund.Currency),
        };

        var body = Write(json =>
        {
            json.WriteString("type", type);
            json.WriteString("timestamp", paymentEvent.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartObject("data");
            json.WriteString("payment_id", payment.PaymentId);
            json.WriteString("order_id", payment.OrderId);
            json.WriteNumber("amount", amount);
            json.WriteString("currency", currency.ToUpperInvariant());
            if (paymentEvent.Refund is { } refund)
            {
                json.WriteString("refund_id", refund.RefundId);
            }

            json.WriteEndObject();
        });

        return new WebhookMessage(sequence, messageId, PaymentProviders.Standard, type, body);
    }

    private static WebhookMessage BuildStripe(PaymentEvent paymentEvent, string eventId, long sequence)
    {
        var payment = paymentEvent.Payment;
        var type = paymentEvent.Kind switch
        {
            PaymentEventKind.Succeeded => "payment_intent.succeeded",
            PaymentEventKind.Failed => "payment_intent.payment_failed",
            PaymentEventKind.Closed => "payment_intent.canceled",
            PaymentEventKind.RefundFailed => "charge.refund.updated",
            _ => "charge.refunded",
        };

        var body = Write(json =>
        {
            json.WriteString("id", eventId);
            json.WriteString("object", "event");
            json.WriteString("api_version", StripeApiVersion);
            json.WriteNumber("created", paymentEvent.OccurredAt.ToUnixTimeSeconds());
            json.WriteString("type", type);
            json.WriteBoolean("livemode", false);
            json.WriteStartObject("data");
            if (paymentEvent.Kind == PaymentEventKind.RefundFailed)
            {
                // The Refund itself, as charge.refund.updated carries it, metadata included.
                json.WritePropertyName("object");
                JsonSerializer.Serialize(json, StripeApi.Refund(paymentEvent.Refund!, payment.OrderId, paymentEvent.ChargeId));
                json.WriteEndObject();
                return;
            }
            json.WriteStartObject("object");
            if (paymentEvent.Kind == PaymentEventKind.Refunded)
            {
                WriteCharge(json, paymentEvent);
            }
            else
            {
                WritePaymentIntent(json, payment, paymentEvent.Kind);
            }

            json.WriteStartObject("metadata");
            json.WriteString("order_id", payment.OrderId);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        });

        return new WebhookMessage(sequence, eventId, PaymentProviders.Stripe, type, body);
    }

    /// <summary>
    /// A Stripe dispute event: <c>data.object</c> is the Dispute (amount and currency of the charge, its
    /// PaymentIntent and charge, status, and the balance transactions that took the funds and gave them back).
    /// A Dispute carries no metadata of the payment.
    /// </summary>
    private static WebhookMessage BuildStripeDispute(PaymentEvent paymentEvent, string eventId, long sequence)
    {
        var dispute = paymentEvent.Dispute!;
        var type = paymentEvent.DisputeStep switch
        {
            DisputeStep.Opened => "charge.dispute.created",
            DisputeStep.FundsWithdrawn => "charge.dispute.funds_withdrawn",
            DisputeStep.FundsReinstated => "charge.dispute.funds_reinstated",
            _ => "charge.dispute.closed",
        };
        var currency = dispute.Currency.ToLowerInvariant();
        var body = Write(json =>
        {
            json.WriteString("id", eventId);
            json.WriteString("object", "event");
            json.WriteString("api_version", StripeApiVersion);
            json.WriteNumber("created", paymentEvent.OccurredAt.ToUnixTimeSeconds());
            json.WriteString("type", type);
            json.WriteBoolean("livemode", false);
            json.WriteStartObject("data");
            json.WriteStartObject("object");
            json.WriteString("id", dispute.DisputeId);
            json.WriteString("object", "dispute");
            json.WriteNumber("amount", dispute.AmountMinor);
            json.WriteString("currency", currency);
            json.WriteString("charge", paymentEvent.ChargeId);
            json.WriteString("payment_intent", dispute.PaymentId);
            json.WriteString("reason", "fraudulent");
            json.WriteString("status", dispute.Status);
            json.WriteNumber("created", dispute.CreatedAt.ToUnixTimeSeconds());
            json.WriteBoolean("livemode", false);
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteStartArray("balance_transactions");
            if (paymentEvent.DisputeStep != DisputeStep.Opened)
            {
                WriteDisputeTransaction(json, dispute, -dispute.AmountMinor, currency);
                if (dispute.Status == "won")
                {
                    WriteDisputeTransaction(json, dispute, dispute.AmountMinor, currency);
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        });
        return new WebhookMessage(sequence, eventId, PaymentProviders.Stripe, type, body);
    }

    private static void WriteDisputeTransaction(Utf8JsonWriter json, DisputeSnapshot dispute, long amount, string currency)
    {
        json.WriteStartObject();
        json.WriteString("id", $"txn_{dispute.DisputeId[3..]}{(amount < 0 ? "w" : "r")}");
        json.WriteString("object", "balance_transaction");
        json.WriteNumber("amount", amount);
        json.WriteString("currency", currency);
        json.WriteString("type", "adjustment");
        json.WriteString("reporting_category", "dispute");
        json.WriteEndObject();
    }

    private static void WritePaymentIntent(Utf8JsonWriter json, PaymentSnapshot payment, PaymentEventKind kind)
    {
        var succeeded = kind == PaymentEventKind.Succeeded;
        json.WriteString("id", payment.PaymentId);
        json.WriteString("object", "payment_intent");
        json.WriteNumber("amount", payment.AmountMinor);
        json.WriteNumber("amount_received", succeeded ? payment.PaidAmountMinor : 0);
        json.WriteString("currency", payment.Currency.ToLowerInvariant());
        json.WriteString("status", kind switch
        {
            PaymentEventKind.Succeeded => "succeeded",
            PaymentEventKind.Closed => "canceled",
            _ => "requires_payment_method",
        });
        if (kind == PaymentEventKind.Closed)
        {
            json.WriteString("cancellation_reason", "abandoned");
        }
    }

    private static void WriteCharge(Utf8JsonWriter json, PaymentEvent paymentEvent)
    {
        var payment = paymentEvent.Payment;
        json.WriteString("id", paymentEvent.ChargeId);
        json.WriteString("object", "charge");
        json.WriteString("payment_intent", payment.PaymentId);
        json.WriteNumber("amount", payment.PaidAmountMinor);
        json.WriteNumber("amount_refunded", payment.RefundedMinor);
        json.WriteString("currency", payment.Currency.ToLowerInvariant());
        json.WriteBoolean("refunded", payment.RefundedMinor >= payment.PaidAmountMinor);
    }

    private static byte[] Write(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            writeProperties(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
