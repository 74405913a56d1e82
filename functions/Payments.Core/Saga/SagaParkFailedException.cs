using Microsoft.DurableTask;

namespace Payments.Saga;

/// <summary>
/// A saga could not park work for an operator even after the long back-off. It fails the
/// orchestration on purpose (visible as Failed, found by the reconciler's crashed-saga sweep)
/// rather than letting the order end as if an operator had been told.
/// </summary>
public sealed class SagaParkFailedException : Exception
{
    public SagaParkFailedException()
    {
    }

    public SagaParkFailedException(string message) : base(message)
    {
    }

    public SagaParkFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public SagaParkFailedException(string orderId, string kind, TaskFailedException cause)
        : base($"Order {orderId}: parking {kind} failed after every attempt; the reconciler settles this saga.", cause)
    {
    }
}
