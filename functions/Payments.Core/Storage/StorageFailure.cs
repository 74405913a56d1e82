using Azure;

namespace Payments.Storage;

/// <summary>Tells a storage outage (answer 503, retry later) from a bug (let it surface).</summary>
public static class StorageFailure
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 408 or 429 or >= 500 } => true,
        RequestFailedException => false,
        HttpRequestException or TimeoutException or IOException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsUnavailable),
        OperationCanceledException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };
}
