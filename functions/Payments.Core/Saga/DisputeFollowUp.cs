using Microsoft.Extensions.Logging;
using Payments.Contracts;
using Payments.Ledger;
using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// What a dispute notice does (Stripe's <c>charge.dispute.*</c>, Adyen's chargebacks): the money ledger
/// records it as the dispute's movement, every observation kept; the dispute is parked for an operator
/// (<see cref="ParkedKinds.DisputeOpened"/>, with what to do), once; a dispute lost reverses the order
/// through <see cref="OrderReversal"/> (Refunded or PartiallyRefunded with reason <see cref="ChargebackReason"/>,
/// the points in proportion).
/// </summary>
/// <remarks>
/// A dispute won after its order was reversed (Adyen's CHARGEBACK_REVERSED after a CHARGEBACK) re-grants
/// nothing by itself: the order stays reversed and the points stay taken back, because the goods may not
/// come back and points for a charged-back sale are a business decision. The ledger records the win and
/// it is parked (<see cref="ParkedKinds.DisputeWonAfterReversal"/>) for an operator to decide. A lost
/// dispute of a payment that is not a settled order's own (a cancelled order, one refunded by its
/// compensation) reverses nothing; its parked item says what the gateway did.
/// </remarks>
public sealed class DisputeFollowUp(MoneyLedger money, OrderReversal reversal, ParkedItems parked, ILogger<DisputeFollowUp> log)
{
    /// <summary>The reason a lost dispute leaves on its order.</summary>
    public const string ChargebackReason = "chargeback";

    public async Task<DisputeObservationResult> ApplyNoticeAsync(PaymentEvent notice, CancellationToken ct = default)
    {
        if (!notice.IsDisputeNotice || notice.DisputeId is not { Length: > 0 } disputeId)
        {
            throw new ArgumentException("Not a dispute notice naming its dispute.", nameof(notice));
        }
        var (outcome, observed) = Observation(notice.Kind);
        var result = await money.ObserveDisputeAsync(notice.OrderId, notice.Provider, notice.PaymentId, disputeId, notice.AmountMinor, notice.Currency,
            outcome, observed, "notice", $"{notice.Provider} event {notice.EventId}", ct);
        var dispute = result.Movement;
        // Parked on every notice, with one detail per dispute: a redelivery writes nothing, and a crash between
        // the ledger's write and the park is healed by the gateway's next word.
        await parked.ParkAsync(new ParkRequest(dispute.OrderId, ParkedKinds.DisputeOpened,
            $"The customer disputed {dispute.AmountMinor} {dispute.Currency} of payment {dispute.PaymentId} at {dispute.Provider}: defend it in the gateway's dashboard "
            + "with evidence before its deadline, or accept it. If it is lost the order is reversed and its points taken back by the pipeline; if it is won nothing changes.",
            $"{dispute.Provider} dispute {dispute.Key} of payment {dispute.PaymentId}", Key: $"{dispute.Provider}:{dispute.Key}", ReopenResolved: false), ct);
        if (result.Before is null)
        {
            log.DisputeOpened(dispute.OrderId, dispute.Key, dispute.Provider, dispute.AmountMinor, dispute.Currency, dispute.DisputeState ?? DisputeState.Opened);
        }
        else if (result.Moved)
        {
            log.DisputeMoved(dispute.OrderId, dispute.Key, dispute.Provider, dispute.DisputeState ?? DisputeState.Opened);
        }
        if (dispute.DisputeState == DisputeState.Lost)
        {
            // Every time it is heard lost, not only when it moved: the reversal is idempotent (the points by the
            // dispute's key), and a crash between the ledger's write and the reversal leaves nothing undone.
            await reversal.ReverseAsync(dispute, ChargebackReason, ct);
        }
        else if (result is { Moved: true, Before: DisputeState.Lost })
        {
            await parked.ParkAsync(new ParkRequest(dispute.OrderId, ParkedKinds.DisputeWonAfterReversal,
                $"The dispute of {dispute.AmountMinor} {dispute.Currency} at {dispute.Provider} was won after it had been lost: the money is back with the merchant, "
                + "but the order stays reversed and no points were re-granted. Decide whether to re-grant the points or ship the goods.",
                $"{dispute.Provider} dispute {dispute.Key} of payment {dispute.PaymentId}", Key: $"{dispute.Provider}:{dispute.Key}", ReopenResolved: false), ct);
            log.DisputeWonAfterReversal(dispute.OrderId, dispute.Key, dispute.Provider);
        }
        return result;
    }

    /// <summary>The outcome a notice announces (null: the dispute runs on), and what the ledger keeps as its observation.</summary>
    private static (DisputeState? Outcome, string Observed) Observation(PaymentEventKind kind) => kind switch
    {
        PaymentEventKind.DisputeWon => (DisputeState.Won, nameof(DisputeState.Won)),
        PaymentEventKind.DisputeLost => (DisputeState.Lost, nameof(DisputeState.Lost)),
        PaymentEventKind.DisputeFundsWithdrawn => (null, "FundsWithdrawn"),
        PaymentEventKind.DisputeFundsReinstated => (null, "FundsReinstated"),
        _ => (null, nameof(DisputeState.Opened)),
    };
}
