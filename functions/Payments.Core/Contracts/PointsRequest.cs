namespace Payments.Contracts;

/// <summary>The loyalty points a completed order grants its customer, once per order.</summary>
public sealed record PointsRequest(string OrderId, string CustomerId, long Points);
