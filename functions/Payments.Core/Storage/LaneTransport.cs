namespace Payments.Storage;

/// <summary>Which queue service carries the retry lane: Storage Queues locally, Service Bus in Azure.</summary>
public enum LaneTransport { StorageQueue, ServiceBus }
