namespace Payments.Storage;

/// <summary>The Service Bus namespace behind the lane in Azure, bound from <c>ServiceBus</c>.</summary>
public sealed class ServiceBusOptions
{
    public const string Section = "ServiceBus";

    /// <summary>e.g. <c>payments-prod.servicebus.windows.net</c>; reached with the app's managed identity.</summary>
    public string FullyQualifiedNamespace { get; set; } = "";
}
