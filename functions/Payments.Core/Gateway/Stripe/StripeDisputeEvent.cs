using System.Text.Json;
using Payments.Contracts;

namespace Payments.Gateway.Stripe;

/// <summary>
/// Stripe's dispute events (<c>charge.dispute.created</c>, <c>.updated</c>, <c>.closed</c>,
/// <c>.funds_withdrawn</c>, <c>.funds_reinstated</c>), whose <c>data.object</c> is a Dispute, read with
/// Stripe.net's <see cref="global::Stripe.Dispute"/>. A Dispute carries no metadata of the payment (no
/// order id): it names its PaymentIntent, and intake finds the order by that payment's capture. Its amount
/// and currency are the disputed amount in the charge's currency.
/// </summary>
internal static class StripeDisputeEvent
{
    public static bool Is(string type) => type is "charge.dispute.created" or "charge.dispute.updated" or "charge.dispute.closed"
        or "charge.dispute.funds_withdrawn" or "charge.dispute.funds_reinstated";

    public static ParseOutcome Parse(JsonElement root, string eventId, string type)
    {
        var reader = new PayloadReader();
        var disputeId = reader.Identifier(root, "data.object.id");
        var amount = reader.AmountMinor(root, "data.object.amount");
        var currency = reader.Currency(root, "data.object.currency");
        var occurredAt = reader.UnixTime(root, "created");
        if (reader.HasErrors || reader.Find(root, "data.object") is not { ValueKind: JsonValueKind.Object } data)
        {
            return new ParseOutcome.Invalid(reader.HasErrors ? reader.Errors : ["data.object: required Dispute object."]);
        }
        global::Stripe.Dispute dispute;
        try
        {
            dispute = global::Stripe.StripeEntity.FromJson<global::Stripe.Dispute>(data.GetRawText());
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return new ParseOutcome.Invalid(["data.object: not a Dispute."]);
        }
        if (dispute.PaymentIntentId is not { Length: > 0 } paymentId)
        {
            // A charge made without a PaymentIntent is no payment of this pipeline's.
            return new ParseOutcome.Parked(eventId, type, $"dispute {disputeId} names no payment_intent: applied to no order.");
        }
        if (!OrderRequest.IsId(paymentId))
        {
            return new ParseOutcome.Invalid([$"data.object.payment_intent: {PayloadReader.IdRule}"]);
        }
        var kind = type switch
        {
            "charge.dispute.funds_withdrawn" => PaymentEventKind.DisputeFundsWithdrawn,
            "charge.dispute.funds_reinstated" => PaymentEventKind.DisputeFundsReinstated,
            "charge.dispute.closed" => Outcome(dispute),
            _ => PaymentEventKind.DisputeOpened,
        };
        return new ParseOutcome.Parsed(new PaymentEvent(StripeProvider.ProviderName, eventId, kind, paymentId, "", amount, currency, occurredAt, DisputeId: disputeId));
    }

    /// <summary>
    /// A closed dispute's outcome: <c>won</c> or <c>lost</c> as Stripe says; any other closed status
    /// (<c>warning_closed</c>: an inquiry that never became a chargeback, <c>prevented</c>) is lost only when
    /// the dispute's balance transactions took money and gave less back (funds withdrawn, not reinstated).
    /// </summary>
    private static PaymentEventKind Outcome(global::Stripe.Dispute dispute) => dispute.Status switch
    {
        "won" => PaymentEventKind.DisputeWon,
        "lost" => PaymentEventKind.DisputeLost,
        _ => (dispute.BalanceTransactions?.Sum(t => t.Amount) ?? 0) < 0 ? PaymentEventKind.DisputeLost : PaymentEventKind.DisputeWon,
    };
}
