namespace Payments.Storage;

/// <summary>
/// The lane's transport failed in a way its SDK calls transient (busy, timeout, connection): the
/// drain stops, hands back what it holds and the next run retries. Non-transient transport errors
/// (entity missing, unauthorized, message too large) are not wrapped: they surface as they are.
/// </summary>
public sealed class LaneUnavailableException(string operation, Exception inner)
    : Exception($"The retry lane's transport is unavailable ({operation}); the next drain retries.", inner);
