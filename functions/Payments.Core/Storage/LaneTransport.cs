namespace Payments.Storage;

public enum LaneTransport { StorageQueue, ServiceBus }
