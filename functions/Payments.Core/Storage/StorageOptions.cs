namespace Payments.Storage;

/// <summary>
/// The storage account holding inbox, ledgers and queues, bound from <c>PaymentsStorage</c>:
/// a connection string locally (Azurite), service URIs with a managed identity in Azure.
/// </summary>
public sealed class StorageOptions
{
    public const string Section = "PaymentsStorage";

    public string ConnectionString { get; set; } = "";
    public string TableServiceUri { get; set; } = "";
    public string QueueServiceUri { get; set; } = "";
    public string BlobServiceUri { get; set; } = "";

    /// <summary>Prefix for every table and queue name, so tests and task hubs can share one account.</summary>
    public string NamePrefix { get; set; } = "";

    public bool UsesConnectionString => !string.IsNullOrWhiteSpace(ConnectionString);

    public void Validate()
    {
        if (!UsesConnectionString && (string.IsNullOrWhiteSpace(TableServiceUri) || string.IsNullOrWhiteSpace(QueueServiceUri) || string.IsNullOrWhiteSpace(BlobServiceUri)))
        {
            throw new InvalidOperationException(
                "PaymentsStorage needs either ConnectionString, or TableServiceUri, QueueServiceUri and BlobServiceUri (managed identity).");
        }
    }
}
