using Azure;
using Azure.Storage.Blobs.Models;

namespace Payments.Storage;

/// <summary>
/// A statement run's copy of the day's statement, cut into numbered chunk blobs, so each chunk of
/// the reconciliation reads only its own rows: a bounded unit of work, however long the statement.
/// One folder per run (<c>{date}/{run}/</c>), deleted when the run finishes.
/// </summary>
public sealed class StatementStage(PaymentsStorage storage)
{
    private const string Container = "statements";

    public async Task WriteChunkAsync(DateOnly date, Guid run, int chunk, BinaryData rows, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(Container, ct);
        await container.GetBlobClient(ChunkName(date, run, chunk)).UploadAsync(rows, overwrite: true, ct);
    }

    public async Task<BinaryData> ReadChunkAsync(DateOnly date, Guid run, int chunk, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(Container, ct);
        var content = await container.GetBlobClient(ChunkName(date, run, chunk)).DownloadContentAsync(ct);
        return content.Value.Content;
    }

    public async Task DeleteRunAsync(DateOnly date, Guid run, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(Container, ct);
        // Side by side: a million-line statement leaves 200 chunks, and one delete after another was the finish's longest wait.
        await Parallel.ForEachAsync(container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Folder(date, run), ct),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (blob, token) =>
            {
                try
                {
                    await container.DeleteBlobAsync(blob.Name, cancellationToken: token);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // A retried finish already deleted it.
                }
            });
    }

    /// <summary>The payment ids of a chunk's capture lines, for the run's look the other way (the ledger's captures against the statement).</summary>
    public async Task WriteSeenAsync(DateOnly date, Guid run, int chunk, IEnumerable<string> paymentIds, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(Container, ct);
        await container.GetBlobClient(Folder(date, run) + SeenPrefix + chunk.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))
            .UploadAsync(BinaryData.FromObjectAsJson(paymentIds), overwrite: true, ct);
    }

    /// <summary>Every capture's payment id the run's chunks saw.</summary>
    public async Task<HashSet<string>> ReadSeenAsync(DateOnly date, Guid run, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(Container, ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Folder(date, run) + SeenPrefix, ct))
        {
            var content = await container.GetBlobClient(blob.Name).DownloadContentAsync(ct);
            seen.UnionWith(content.Value.Content.ToObjectFromJson<string[]>() ?? []);
        }
        return seen;
    }

    private const string SeenPrefix = "seen-";

    private static string Folder(DateOnly date, Guid run) => $"{date:yyyy-MM-dd}/{run:N}/";

    private static string ChunkName(DateOnly date, Guid run, int chunk) => Folder(date, run) + chunk.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + ".json";
}
