namespace Payments.Saga;

public sealed record PointsRequest(string OrderId, string CustomerId, long Points);
