namespace Payments.Demo.Invariants;

/// <summary>One grant row of the points ledger.</summary>
public sealed record PointsGrant(string CustomerId, string OrderId, long Points);

/// <summary>One reversal row of the points ledger: what a refund of a completed order took back, and why.</summary>
public sealed record PointsReversalRow(string CustomerId, string OrderId, long Points, string Cause);
