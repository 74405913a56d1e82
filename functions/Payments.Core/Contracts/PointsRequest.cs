namespace Payments.Contracts;

public sealed record PointsRequest(string OrderId, string CustomerId, long Points);
