namespace Payments.Benchmarks.Requests;

/// <summary>
/// Names a storage request by what it is for, from its method, path and (for a table batch) the
/// first sub-request's path: the pipeline's tables and queues by their logical name behind the
/// host's prefix, the Durable provider's by the task hub's name.
/// </summary>
/// <remarks>
/// Kinds: <c>read</c> is a GET or HEAD that changes nothing (a table query or point read, a blob
/// download or lease check, a queue peek or metadata read); <c>dequeue</c> is a queue GET of
/// messages without <c>peekonly</c>: it takes messages out of sight, so it is a write in effect and
/// is billed and throttled like one (an empty poll is one too); <c>write</c> is everything else
/// (insert, merge, delete, a table batch, a queue put or delete, a blob upload or lease change).
/// </remarks>
public sealed class StorageRequestClassifier(string tablePrefix, string taskHub)
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Dequeue = "dequeue";

    public StorageRequestKey Classify(string service, string method, string path, string query, string? batchTarget)
    {
        var resource = Resource(path);
        if (service == "table" && resource == "$batch" && batchTarget is not null)
        {
            resource = Resource(batchTarget);
        }
        var kind = (service, method) switch
        {
            ("queue", "GET") when path.EndsWith("/messages", StringComparison.OrdinalIgnoreCase)
                && !query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) => Dequeue,
            (_, "GET" or "HEAD") => Read,
            _ => Write,
        };
        return new StorageRequestKey(service, kind, Step(service, resource));
    }

    /// <summary>The table, queue or container a path names: its first segment after the account, a table's key part cut off.</summary>
    private static string Resource(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Path-style addressing as Azurite serves it: /{account}/{resource}/...
        var resource = segments.Length > 1 ? segments[1] : "";
        var key = resource.IndexOf('(');
        return Uri.UnescapeDataString(key >= 0 ? resource[..key] : resource);
    }

    private string Step(string service, string resource)
    {
        if (resource.Length == 0)
        {
            return "account (service calls)";
        }
        if (resource == "Tables")
        {
            return "table management";
        }
        if (resource.StartsWith(taskHub, StringComparison.OrdinalIgnoreCase))
        {
            var part = resource[taskHub.Length..].TrimStart('-').ToLowerInvariant();
            return part switch
            {
                _ when part.StartsWith("control-", StringComparison.Ordinal) => "durable: control queues",
                "workitems" => "durable: work-item queue",
                "history" => "durable: history table",
                "instances" => "durable: instances table",
                "partitions" => "durable: partitions table",
                _ when part.Contains("lease", StringComparison.Ordinal) => "durable: leases",
                _ when part.Contains("largemessage", StringComparison.Ordinal) => "durable: large messages",
                _ => $"durable: {part}",
            };
        }
        var name = service == "table"
            ? resource.StartsWith(tablePrefix, StringComparison.Ordinal) ? resource[tablePrefix.Length..] : null
            : resource.StartsWith(tablePrefix.ToLowerInvariant() + "-", StringComparison.Ordinal) ? resource[(tablePrefix.Length + 1)..] : null;
        return name switch
        {
            null => $"other: {resource}",
            "Inbox" => "intake: inbox",
            "Orders" or "OrdersAwaitingPayment" or "OrdersByCapture" => "read model: orders",
            "Stock" => "ledger: stock",
            "Points" => "ledger: points",
            "LaneWaiting" => "retry lane",
            "OpenOrchestrations" => "recovery: open orchestrations",
            _ when service == "queue" => "retry lane",
            _ => $"pipeline: {name}",
        };
    }
}
