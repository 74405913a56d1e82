using Payments.Storage;

namespace Payments.Intake;

/// <summary>
/// One callback's time for storage, on the app's clock: every storage call intake makes for it shares
/// this, so the gateway gets an answer (503 when it runs out) before its own deadline rather than
/// none. It ends early when the request does (the gateway hung up).
/// </summary>
/// <remarks>
/// A token, not the SDK's timeouts: the storage clients retry each request, each try with its own
/// network timeout, which together outlast any gateway's deadline; a cancelled token stops the request
/// and its retries at once.
/// </remarks>
internal sealed class StorageBudget : IDisposable
{
    private readonly CancellationTokenSource timer;
    private readonly CancellationTokenSource linked;

    public StorageBudget(TimeSpan length, TimeProvider clock, CancellationToken request)
    {
        Length = length;
        Request = request;
        timer = new CancellationTokenSource(length, clock);
        linked = CancellationTokenSource.CreateLinkedTokenSource(request, timer.Token);
    }

    public TimeSpan Length { get; }

    /// <summary>The request's own token: cancelled only when the gateway hung up.</summary>
    public CancellationToken Request { get; }

    /// <summary>The token every storage call of this callback takes.</summary>
    public CancellationToken Token => linked.Token;

    /// <summary>True when the budget ran out while the gateway was still waiting for an answer.</summary>
    public bool Spent => timer.IsCancellationRequested && !Request.IsCancellationRequested;

    /// <summary>
    /// True when a storage call's failure means "storage unavailable" to a gateway still waiting: an
    /// outage, or any failure once the budget is spent (a call cut short throws whatever its client
    /// throws on cancellation, not always an <see cref="OperationCanceledException"/>).
    /// </summary>
    public bool MeansUnavailable(Exception exception) =>
        !Request.IsCancellationRequested && (Spent || StorageFailure.IsUnavailable(exception));

    public void Dispose()
    {
        linked.Dispose();
        timer.Dispose();
    }
}
