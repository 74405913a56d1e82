namespace GatewaySimulator;

/// <summary>Point-in-time counters so tests and demos can assert what the simulator did without scraping logs.</summary>
/// <param name="EventsCreated">Webhook events produced by payment state changes (lost ones included).</param>
/// <param name="DeliveriesAttempted">HTTP POSTs sent to the callback URL, retries and duplicates included.</param>
/// <param name="DeliveriesSucceeded">Attempts answered with a 2xx status.</param>
/// <param name="DuplicatesSent">Extra deliveries of an already acknowledged event (DuplicateRate).</param>
/// <param name="EventsLost">Events dropped without any delivery attempt (LossRate).</param>
/// <param name="Retries">Re-delivery attempts after a non-2xx answer or a timeout.</param>
/// <param name="DeliveriesPending">Deliveries scheduled, held back or in flight right now.</param>
/// <param name="ApiErrorsInjected">/v1 requests answered 503 on purpose, stalled ones included.</param>
/// <param name="ApiTimeoutsInjected">The subset of <paramref name="ApiErrorsInjected"/> that stalled for ApiTimeout first.</param>
/// <param name="DeliveriesAbandoned">Deliveries given up after the last RetrySchedule entry failed.</param>
public sealed record SimulatorStats(
    long EventsCreated,
    long DeliveriesAttempted,
    long DeliveriesSucceeded,
    long DuplicatesSent,
    long EventsLost,
    long Retries,
    long DeliveriesPending,
    long ApiErrorsInjected,
    long ApiTimeoutsInjected,
    long DeliveriesAbandoned);
