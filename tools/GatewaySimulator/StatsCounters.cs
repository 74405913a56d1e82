namespace GatewaySimulator;

/// <summary>Mutable, thread-safe counters behind <see cref="SimulatorStats"/>.</summary>
internal sealed class StatsCounters
{
    private long eventsCreated;
    private long deliveriesAttempted;
    private long deliveriesSucceeded;
    private long duplicatesSent;
    private long eventsLost;
    private long retries;
    private long apiErrorsInjected;
    private long apiTimeoutsInjected;
    private long deliveriesAbandoned;

    public void EventCreated() => Interlocked.Increment(ref eventsCreated);

    public void DeliveryAttempted() => Interlocked.Increment(ref deliveriesAttempted);

    public void DeliverySucceeded() => Interlocked.Increment(ref deliveriesSucceeded);

    public void DuplicateSent() => Interlocked.Increment(ref duplicatesSent);

    public void EventLost() => Interlocked.Increment(ref eventsLost);

    public void RetryAttempted() => Interlocked.Increment(ref retries);

    public void ApiErrorInjected() => Interlocked.Increment(ref apiErrorsInjected);

    public void ApiTimeoutInjected() => Interlocked.Increment(ref apiTimeoutsInjected);

    public void DeliveryAbandoned() => Interlocked.Increment(ref deliveriesAbandoned);

    public SimulatorStats Snapshot(long pending) => new(
        Interlocked.Read(ref eventsCreated),
        Interlocked.Read(ref deliveriesAttempted),
        Interlocked.Read(ref deliveriesSucceeded),
        Interlocked.Read(ref duplicatesSent),
        Interlocked.Read(ref eventsLost),
        Interlocked.Read(ref retries),
        pending,
        Interlocked.Read(ref apiErrorsInjected),
        Interlocked.Read(ref apiTimeoutsInjected),
        Interlocked.Read(ref deliveriesAbandoned));
}
