using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Payments.Storage;

/// <summary>
/// Hands out the pipeline's tables, queues and blob containers by logical name, applying the configured prefix and
/// creating each one once per process on first use (not at start-up, so a storage outage at boot
/// does not stop the app from answering 503).
/// </summary>
public sealed class PaymentsStorage(TableServiceClient tableService, QueueServiceClient queueService, BlobServiceClient blobService, string namePrefix)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> containers = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> queues = new();

    public Task<TableClient> TableAsync(string name, CancellationToken ct = default) => OnceAsync(tables, name, CreateTableAsync, ct);

    public Task<QueueClient> QueueAsync(string name, CancellationToken ct = default) => OnceAsync(queues, name, CreateQueueAsync, ct);

    public Task<BlobContainerClient> ContainerAsync(string name, CancellationToken ct = default) => OnceAsync(containers, name, CreateContainerAsync, ct);

    private static async Task<T> OnceAsync<T>(ConcurrentDictionary<string, Lazy<Task<T>>> clients, string name, Func<string, Task<T>> create, CancellationToken ct)
    {
        var lazy = clients.GetOrAdd(name, n => new Lazy<Task<T>>(() => create(n)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch
        {
            // A failed creation (storage down) is forgotten, so the next call tries again.
            clients.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(name, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateTableAsync(string name)
    {
        var client = tableService.GetTableClient(namePrefix + name);
        await client.CreateIfNotExistsAsync();
        return client;
    }

    private async Task<BlobContainerClient> CreateContainerAsync(string name)
    {
        // Container names allow lower-case letters, digits and single hyphens only.
        var client = blobService.GetBlobContainerClient((namePrefix + "-" + name).ToLowerInvariant().TrimStart('-'));
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
