namespace Payments.Recovery;

/// <summary>What reconciling one chunk found: lines compared, new discrepancies, malformed rows, and the orders read one by one.</summary>
public sealed record ChunkResult(int Lines, int NewDiscrepancies, int Malformed, int PointReads);
