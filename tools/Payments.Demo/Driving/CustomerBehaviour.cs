namespace Payments.Demo.Driving;

/// <summary>What the customer (and the order service) behind one order do.</summary>
public enum CustomerBehaviour
{
    /// <summary>Pays the right amount a few seconds after the order is registered.</summary>
    PaysPromptly,
    /// <summary>Pays around the end of the payment window: the saga's timer, query and close race the payment.</summary>
    PaysAroundWindowEnd,
    /// <summary>Tries to pay well after the window; the gateway refuses once the saga closed the payment.</summary>
    PaysAfterWindow,
    /// <summary>Never pays: the saga times out, asks the gateway, closes the payment and cancels.</summary>
    NeverPays,
    /// <summary>The payment fails: the order is cancelled.</summary>
    Fails,
    /// <summary>The payment is declined, then the customer pays within the window: a decline is not final, the order completes.</summary>
    FailsThenPays,
    /// <summary>Declined, then paid around the end of the window, while the saga queries, closes and cancels: completed or refused, never lost.</summary>
    FailsThenPaysDuringCancel,
    /// <summary>Pays twice under two payment ids (a double submit): the order keeps one, the pipeline refunds the other on arrival.</summary>
    PaysTwice,
    /// <summary>Never pays in the window; the saga cannot close the payment (Faults:UnclosablePaymentPrefix) and cancels; then the customer pays: refunded by the pipeline.</summary>
    PaysAfterUnclosedCancel,
    /// <summary>Pays; its stock commit stalls and an operator terminates the saga while the order is Paid: the reconciler refunds it.</summary>
    TerminatedAfterPaid,
    /// <summary>Pays a different amount than the order's: refunded as an amount mismatch.</summary>
    PaysWrongAmount,
    /// <summary>Pays before the order service registers the order: the callback outruns the registration and rides the retry lane.</summary>
    PaysBeforeRegistration,
    /// <summary>Pays long before the order is registered: the callback exhausts the retry lane and is dead-lettered.</summary>
    PaysLongBeforeRegistration,
    /// <summary>Pays; once the order is completed, customer service refunds part of it, then the rest (after-sales, 售后): Refunded, points reversed.</summary>
    RefundedAfterSale,
    /// <summary>Pays; once the order is completed, the merchant refunds part of it in the gateway's own dashboard: PartiallyRefunded, points reversed in proportion.</summary>
    RefundedInDashboard,
    /// <summary>
    /// Pays; once the order is completed, customer service refunds it in full, the gateway accepts the
    /// refund and then fails it: parked with a retry, which the operator's end of day runs: Refunded.
    /// </summary>
    RefundFailsAfterSale,
    /// <summary>
    /// Its saga is terminated while it awaits the payment (a crash before the payment is decided); the
    /// customer pays a few seconds later all the same: the sweep closes the payment and releases the
    /// stock, or refunds the capture that got in first.
    /// </summary>
    TerminatedBeforePayment,
    /// <summary>Pays; once the order is completed, the customer disputes the charge at the bank and wins (Stripe, Adyen): the order is reversed with reason chargeback, points in proportion.</summary>
    DisputedAndLost,
    /// <summary>Pays; once the order is completed, the customer disputes the charge and the merchant wins: recorded, parked; on Adyen (debited, then reversed) the order stays reversed, nothing re-granted.</summary>
    DisputedAndWon,
}
