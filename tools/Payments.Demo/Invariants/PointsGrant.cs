namespace Payments.Demo.Invariants;

/// <summary>One grant row of the points ledger.</summary>
public sealed record PointsGrant(string CustomerId, string OrderId, long Points);
