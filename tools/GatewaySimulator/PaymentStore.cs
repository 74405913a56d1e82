namespace GatewaySimulator;

/// <summary>In-memory payments, refunds and ledger; every state change and its webhook event happen under one lock so events leave in causal order.</summary>
internal sealed class PaymentStore(SeededRandom random, TimeProvider clock, Action<PaymentEvent> emit)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, PaymentRecord> payments = new(StringComparer.Ordinal);
    private readonly List<LedgerEntry> ledger = [];

    public StoreResult<PaymentSnapshot> Create(string paymentId, string orderId, long amountMinor, string currency, string provider)
    {
        lock (gate)
        {
            if (payments.TryGetValue(paymentId, out var existing))
            {
                return new(StoreOutcome.Ok, existing.Snapshot());
            }

            var record = new PaymentRecord(paymentId, orderId, provider, amountMinor, currency);
            payments.Add(paymentId, record);
            return new(StoreOutcome.Created, record.Snapshot());
        }
    }

    public PaymentSnapshot? Find(string paymentId)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record) ? record.Snapshot() : null;
        }
    }

    public IReadOnlyList<PaymentSnapshot> List()
    {
        lock (gate)
        {
            return payments.Values.Select(record => record.Snapshot()).ToArray();
        }
    }

    public StoreResult<PaymentSnapshot> Pay(string paymentId, long? amountMinor, string? currency)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return new(StoreOutcome.NotFound, Error: "payment not found");
            }

            if (record.Status is PaymentStatus.Paid or PaymentStatus.Closed)
            {
                return new(StoreOutcome.Conflict, record.Snapshot(), $"payment is {record.Status}");
            }

            var now = clock.GetUtcNow();
            record.Status = PaymentStatus.Paid;
            record.PaidAmountMinor = amountMinor ?? record.AmountMinor;
            record.PaidCurrency = currency ?? record.RequestedCurrency;
            record.PaidAt = now;
            record.ChargeId = "ch_" + random.Draw(r => SeededRandom.Alphanumeric(r, 24));
            ledger.Add(new LedgerEntry(paymentId, record.OrderId, "capture", record.PaidAmountMinor, record.PaidCurrency, now, ledger.Count + 1, record.Provider, record.ChargeId));

            var snapshot = record.Snapshot();
            emit(new PaymentEvent(PaymentEventKind.Succeeded, snapshot, now, record.ChargeId));
            return new(StoreOutcome.Ok, snapshot);
        }
    }

    public StoreResult<PaymentSnapshot> Fail(string paymentId)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return new(StoreOutcome.NotFound, Error: "payment not found");
            }

            if (record.Status is PaymentStatus.Paid or PaymentStatus.Closed)
            {
                return new(StoreOutcome.Conflict, record.Snapshot(), $"payment is {record.Status}");
            }

            record.Status = PaymentStatus.Failed;
            var snapshot = record.Snapshot();
            emit(new PaymentEvent(PaymentEventKind.Failed, snapshot, clock.GetUtcNow()));
            return new(StoreOutcome.Ok, snapshot);
        }
    }

    public StoreResult<PaymentSnapshot> Close(string paymentId)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return new(StoreOutcome.NotFound, Error: "payment not found");
            }

            if (record.Status == PaymentStatus.Paid)
            {
                return new(StoreOutcome.Conflict, record.Snapshot(), "payment is paid");
            }

            var wasOpen = record.Status != PaymentStatus.Closed;
            record.Status = PaymentStatus.Closed;
            var snapshot = record.Snapshot();
            // Stripe announces a canceled PaymentIntent (payment_intent.canceled); the simulator's own dialect has no such event.
            if (wasOpen && record.Provider == PaymentProviders.Stripe)
            {
                emit(new PaymentEvent(PaymentEventKind.Closed, snapshot, clock.GetUtcNow()));
            }
            return new(StoreOutcome.Ok, snapshot);
        }
    }

    public StoreResult<RefundSnapshot> Refund(string paymentId, string idempotencyKey, long amountMinor, string currency, IReadOnlyDictionary<string, string>? metadata = null)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return new(StoreOutcome.NotFound, Error: "payment not found");
            }

            // A replay must win over every later rule: after a full refund the same request is still answered with its refund, not 422.
            if (record.RefundsByKey.TryGetValue(idempotencyKey, out var earlier))
            {
                return earlier.AmountMinor == amountMinor && earlier.Currency == currency
                    ? new(StoreOutcome.Ok, earlier)
                    : new(StoreOutcome.Invalid, Error: "Idempotency-Key was already used with different parameters");
            }

            if (record.Status != PaymentStatus.Paid)
            {
                return new(StoreOutcome.Conflict, Error: $"payment is {record.Status}");
            }

            if (record.RefusalsScripted > 0)
            {
                record.RefusalsScripted--;
                return new(StoreOutcome.Refused, Error: "insufficient available balance to refund (scripted)");
            }

            if (currency != record.PaidCurrency)
            {
                return new(StoreOutcome.Invalid, Error: $"currency must be the paid currency {record.PaidCurrency}");
            }

            var refundable = record.PaidAmountMinor - record.RefundedMinor;
            if (amountMinor > refundable)
            {
                return new(StoreOutcome.Unprocessable, Error: $"amount exceeds the refundable {refundable}");
            }

            var now = clock.GetUtcNow();
            var refundId = "re_" + random.Draw(r => SeededRandom.Alphanumeric(r, 24));
            if (record.FailuresAfterAcceptanceScripted > 0)
            {
                // Accepted, then failed at the bank: answered pending, kept as failed (a replay of the key
                // says failed, as Stripe's refund would by then), no money moved, the failure announced.
                record.FailuresAfterAcceptanceScripted--;
                var accepted = new RefundSnapshot(refundId, paymentId, amountMinor, currency, "pending", now, metadata, idempotencyKey);
                var failed = accepted with { Status = "failed" };
                record.RefundsByKey.Add(idempotencyKey, failed);
                emit(new PaymentEvent(PaymentEventKind.RefundFailed, record.Snapshot(), now, record.ChargeId, failed));
                return new(StoreOutcome.Ok, accepted);
            }
            var refund = new RefundSnapshot(refundId, paymentId, amountMinor, currency, "succeeded", now, metadata, idempotencyKey);
            record.RefundedMinor += amountMinor;
            record.RefundsByKey.Add(idempotencyKey, refund);
            ledger.Add(new LedgerEntry(paymentId, record.OrderId, "refund", amountMinor, currency, now, ledger.Count + 1, record.Provider, refundId));

            emit(new PaymentEvent(PaymentEventKind.Refunded, record.Snapshot(), now, record.ChargeId, refund));
            return new(StoreOutcome.Ok, refund);
        }
    }

    /// <summary>
    /// The customer disputes a paid payment at their bank: the gateway opens a dispute, takes the funds
    /// from the merchant and either keeps them (<c>lost</c>), gives them back (<c>won</c>) or waits
    /// (<c>open</c>). Each step is announced in the payment's dialect, in order.
    /// </summary>
    public StoreResult<DisputeSnapshot> Dispute(string paymentId, string outcome, long? amountMinor)
    {
        if (outcome is not ("lost" or "won" or "open"))
        {
            return new(StoreOutcome.Invalid, Error: "outcome must be lost, won or open");
        }
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return new(StoreOutcome.NotFound, Error: "payment not found");
            }
            if (record.Status != PaymentStatus.Paid)
            {
                return new(StoreOutcome.Conflict, Error: $"payment is {record.Status}");
            }
            if (record.Provider is not (PaymentProviders.Stripe or PaymentProviders.Adyen))
            {
                return new(StoreOutcome.Unprocessable, Error: $"the {record.Provider} dialect has no dispute webhooks");
            }
            var amount = amountMinor ?? record.PaidAmountMinor;
            if (amount <= 0 || amount > record.PaidAmountMinor)
            {
                return new(StoreOutcome.Invalid, Error: $"amountMinor must be between 1 and the captured {record.PaidAmountMinor}");
            }
            var now = clock.GetUtcNow();
            var disputeId = record.Provider == PaymentProviders.Stripe
                ? "dp_" + random.Draw(r => SeededRandom.Alphanumeric(r, 24))
                : "ADYDSP" + random.Draw(r => SeededRandom.Hex(r, 10)).ToUpperInvariant();
            var dispute = new DisputeSnapshot(disputeId, paymentId, amount, record.PaidCurrency ?? record.RequestedCurrency, "needs_response", now);
            var snapshot = record.Snapshot();
            void Emit(DisputeStep step, DisputeSnapshot state) => emit(new PaymentEvent(PaymentEventKind.Disputed, snapshot, now, record.ChargeId, Dispute: state, DisputeStep: step));
            Emit(DisputeStep.Opened, dispute);
            if (outcome != "open")
            {
                Emit(DisputeStep.FundsWithdrawn, dispute);
                if (outcome == "won")
                {
                    Emit(DisputeStep.FundsReinstated, dispute with { Status = "won" });
                }
                dispute = dispute with { Status = outcome };
                Emit(DisputeStep.Closed, dispute);
            }
            record.Disputes.Add(dispute);
            return new(StoreOutcome.Created, dispute);
        }
    }

    /// <summary>Every dispute of every payment, oldest first.</summary>
    public IReadOnlyList<DisputeSnapshot> Disputes()
    {
        lock (gate)
        {
            return [.. payments.Values.SelectMany(p => p.Disputes).OrderBy(d => d.CreatedAt)];
        }
    }

    /// <summary>
    /// Copies the entries of one UTC day so the caller can stream them without holding the lock. The
    /// simulator's own statement lists its own payments; Stripe payments are on Stripe's balance
    /// transactions (<see cref="StripeLedger"/>), WeChat Pay's on its trade bill (<see cref="ProviderLedger"/>),
    /// as each gateway account lists only its own.
    /// </summary>
    public IReadOnlyList<LedgerEntry> LedgerFor(DateOnly utcDate)
    {
        lock (gate)
        {
            return ledger.Where(entry => entry.Provider == PaymentProviders.Standard && DateOnly.FromDateTime(entry.OccurredAt.UtcDateTime) == utcDate).ToArray();
        }
    }

    /// <summary>One provider's money movements in [from, to), oldest first, as a bill lists them.</summary>
    public IReadOnlyList<LedgerEntry> ProviderLedger(string provider, DateTimeOffset from, DateTimeOffset to)
    {
        lock (gate)
        {
            return ledger.Where(entry => entry.Provider == provider && entry.OccurredAt >= from && entry.OccurredAt < to).ToArray();
        }
    }

    /// <summary>The Alipay payments' money movements of one China Standard Time day, oldest first, as Alipay's trade bill lists them.</summary>
    public IReadOnlyList<LedgerEntry> AlipayLedger(DateOnly chinaDate)
    {
        lock (gate)
        {
            return ledger.Where(entry => entry.Provider == PaymentProviders.Alipay && Alipay.AlipayDialect.ChinaDate(entry.OccurredAt) == chinaDate).ToArray();
        }
    }

    /// <summary>The Stripe payments' money movements created in [from, to), newest first, as Stripe lists balance transactions.</summary>
    public IReadOnlyList<LedgerEntry> StripeLedger(DateTimeOffset from, DateTimeOffset to)
    {
        lock (gate)
        {
            return ledger.Where(entry => entry.Provider == PaymentProviders.Stripe && entry.OccurredAt >= from && entry.OccurredAt < to)
                .OrderByDescending(entry => entry.Sequence)
                .ToArray();
        }
    }

    /// <summary>
    /// Scripts the gateway's next answers to refunds of one payment: the next <paramref name="refusals"/>
    /// new refunds are refused, and while <paramref name="loseAnswers"/> holds every refund is performed
    /// (or replayed) but its answer never reaches the caller; while <paramref name="loseListAnswers"/>
    /// holds, neither does the answer to a listing of the payment's refunds once one exists (a gateway
    /// that degrades right after creating the refund). The next <paramref name="failuresAfterAcceptance"/>
    /// new refunds are accepted (answered <c>pending</c>) and then fail: no money moves, and the payment's
    /// dialect is told (Stripe: <c>charge.refund.updated</c> with status <c>failed</c>).
    /// </summary>
    public bool ScriptRefundFaults(string paymentId, int refusals, bool loseAnswers, bool loseListAnswers, int failuresAfterAcceptance = 0, int inFlight = 0)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record))
            {
                return false;
            }
            record.RefusalsScripted = refusals;
            record.FailuresAfterAcceptanceScripted = failuresAfterAcceptance;
            record.InFlightScripted = inFlight;
            record.LoseRefundAnswers = loseAnswers;
            record.LoseRefundListAnswers = loseListAnswers;
            return true;
        }
    }

    /// <summary>Whether this refund request meets a scripted earlier request still executing under its key (counts one down).</summary>
    public bool TakeRefundInFlight(string paymentId)
    {
        lock (gate)
        {
            if (!payments.TryGetValue(paymentId, out var record) || record.InFlightScripted <= 0)
            {
                return false;
            }
            record.InFlightScripted--;
            return true;
        }
    }

    public bool LosesRefundAnswers(string paymentId)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record) && record.LoseRefundAnswers;
        }
    }

    public bool LosesRefundListAnswers(string paymentId)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record) && record.LoseRefundListAnswers && record.RefundsByKey.Count > 0;
        }
    }

    /// <summary>
    /// Forgets every Idempotency-Key, as a gateway does after its retention (Stripe: 24 h); the refunds
    /// themselves stay. A request with a forgotten key is a new request.
    /// </summary>
    public void ForgetIdempotencyKeys()
    {
        lock (gate)
        {
            foreach (var record in payments.Values)
            {
                foreach (var (key, refund) in record.RefundsByKey.ToArray())
                {
                    record.RefundsByKey.Remove(key);
                    record.RefundsByKey.Add("expired:" + refund.RefundId, refund);
                }
            }
        }
    }

    /// <summary>Every refund of a payment, oldest first (one per distinct Idempotency-Key).</summary>
    /// <summary>A refund of the payment, by its refund id or the idempotency key it was created under.</summary>
    public RefundSnapshot? FindRefund(string paymentId, string refundIdOrKey)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record)
                ? record.RefundsByKey.TryGetValue(refundIdOrKey, out var byKey) ? byKey : record.RefundsByKey.Values.FirstOrDefault(r => r.RefundId == refundIdOrKey)
                : null;
        }
    }

    /// <summary>A refund of any payment, by its refund id (Stripe's <c>GET /v1/refunds/{id}</c>) or its idempotency key (WeChat Pay's out_refund_no).</summary>
    public RefundSnapshot? FindRefund(string refundIdOrKey)
    {
        lock (gate)
        {
            return payments.Values.SelectMany(p => p.RefundsByKey.Values).FirstOrDefault(r => r.RefundId == refundIdOrKey || r.IdempotencyKey == refundIdOrKey);
        }
    }

    public IReadOnlyList<RefundSnapshot> RefundsOf(string paymentId)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record) ? [.. record.RefundsByKey.Values.OrderBy(r => r.CreatedAt)] : [];
        }
    }

    /// <summary>The charge behind a paid payment, as Stripe names it (<c>latest_charge</c>); null before payment.</summary>
    public string? ChargeOf(string paymentId)
    {
        lock (gate)
        {
            return payments.TryGetValue(paymentId, out var record) ? record.ChargeId : null;
        }
    }

    private sealed class PaymentRecord(string paymentId, string orderId, string provider, long amountMinor, string currency)
    {
        public string PaymentId { get; } = paymentId;

        public string OrderId { get; } = orderId;

        public string Provider { get; } = provider;

        public long AmountMinor { get; } = amountMinor;

        public string RequestedCurrency { get; } = currency;

        public string Status { get; set; } = PaymentStatus.Pending;

        public long PaidAmountMinor { get; set; }

        public string? PaidCurrency { get; set; }

        public DateTimeOffset? PaidAt { get; set; }

        public string? ChargeId { get; set; }

        public long RefundedMinor { get; set; }

        public Dictionary<string, RefundSnapshot> RefundsByKey { get; } = new(StringComparer.Ordinal);

        public List<DisputeSnapshot> Disputes { get; } = [];

        public int RefusalsScripted { get; set; }

        public int FailuresAfterAcceptanceScripted { get; set; }

        public int InFlightScripted { get; set; }

        public bool LoseRefundAnswers { get; set; }

        public bool LoseRefundListAnswers { get; set; }

        public PaymentSnapshot Snapshot() => new(
            PaymentId,
            OrderId,
            Provider,
            Status,
            AmountMinor,
            PaidAmountMinor,
            PaidCurrency ?? RequestedCurrency,
            RefundedMinor,
            PaidAt);
    }
}
