namespace Payments.Storage;

/// <summary>Where an inbox row is in its life.</summary>
public enum InboxState
{
    /// <summary>Stored, not yet applied to its saga; the reconciler's outbox relay picks these up.</summary>
    Received,
    Dispatched,
    /// <summary>
    /// A success handed to a running saga: not yet known to be settled, because a saga that ends
    /// right after the raise drops the event. The outbox relay looks again once the saga has ended.
    /// </summary>
    Raised,
    /// <summary>Its order was unknown; a retry-lane message carries it until it applies or is dead-lettered.</summary>
    Queued,
    /// <summary>A well-formed event type this pipeline does not act on.</summary>
    Ignored,
    /// <summary>
    /// Verified and well-formed but not to be applied by the pipeline itself (no order named, a payload
    /// version it does not read), or one the outbox relay failed to dispatch on its every allowed pass
    /// (<c>Reconciler:RelayMaxAttempts</c>): parked as a dead letter for an operator; kept until discarded
    /// there, or until a re-drive applies it.
    /// </summary>
    Parked,
    /// <summary>Its dead letter was discarded by an operator: nothing will apply it; settled like the two above.</summary>
    Discarded,
}
