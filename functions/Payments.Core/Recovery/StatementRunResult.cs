namespace Payments.Recovery;

/// <summary>A finished statement run in numbers; the full report is stored (<c>GET /api/ops/reconciliation/{date}</c>).</summary>
public sealed record StatementRunResult(DateOnly Date, long Lines, int NewDiscrepancies, int Discrepancies, int Malformed);
