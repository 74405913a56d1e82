using System.ComponentModel.DataAnnotations;

namespace Payments.Recovery;

public enum LaneTransport { StorageQueue, ServiceBus }
