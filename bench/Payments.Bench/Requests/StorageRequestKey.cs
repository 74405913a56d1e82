namespace Payments.Benchmarks.Requests;

/// <summary>
/// What one storage request counts as: its service (blob, queue, table), its kind (read, write or
/// dequeue) and the pipeline step its table, queue or container belongs to.
/// </summary>
public readonly record struct StorageRequestKey(string Service, string Kind, string Step);
