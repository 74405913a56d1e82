namespace Payments.Ledger;

/// <summary>What a points reversal took back: the points, and whether this reversal had been made already.</summary>
public sealed record PointsReversal(long Points, bool AlreadyReversed);
