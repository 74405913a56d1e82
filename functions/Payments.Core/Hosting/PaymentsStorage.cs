using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Payments.Hosting;

/// <summary>
/// Hands out the pipeline's tables and queues by logical name, applying the configured prefix and
/// creating each one once per process on first use (not at start-up, so a storage outage at boot
/// does not stop the app from answering 503).
/// </summary>
public sealed class PaymentsStorage(TableServiceClient tableService, QueueServiceClient queueService, string namePrefix)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> queues = new();

    public string NamePrefix => namePrefix;

    public async Task<TableClient> TableAsync(string name, CancellationToken ct = default)
    {
        var lazy = tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateTableAsync(n)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch
        {
            tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    public async Task<QueueClient> QueueAsync(string name, CancellationToken ct = default)
    {
        var lazy = queues.GetOrAdd(name, n => new Lazy<Task<QueueClient>>(() => CreateQueueAsync(n)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch
        {
            queues.TryRemove(new KeyValuePair<string, Lazy<Task<QueueClient>>>(name, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateTableAsync(string name)
    {
        var client = tableService.GetTableClient(namePrefix + name);
        await client.CreateIfNotExistsAsync();
        return client;
    }

    private async Task<QueueClient> CreateQueueAsync(string name)
    {
        var client = queueService.GetQueueClient((namePrefix + "-" + name).ToLowerInvariant().TrimStart('-'));
        await client.CreateIfNotExistsAsync();
        return client;
    }
}

/// <summary>Logical table names; each is prefixed by <see cref="StorageOptions.NamePrefix"/>.</summary>
public static class TableNames
{
    public const string Inbox = "Inbox";
    public const string Stock = "Stock";
    public const string Points = "Points";
    public const string Orders = "Orders";
    public const string Parked = "Parked";
    public const string DeadLetters = "DeadLetters";
    public const string Reconciliation = "Reconciliation";
}
