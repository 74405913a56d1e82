namespace Payments.Contracts;

/// <summary>
/// A day's statement reconciliation: lines read, every discrepancy found (new ones counted for the
/// latest run), every malformed line isolated, and how far the run has got (<see cref="Finished"/>
/// is false while its chunks are still being worked through).
/// </summary>
public sealed record StatementReport(
    DateOnly Date,
    long Lines,
    int NewDiscrepancies,
    IReadOnlyList<Discrepancy> Discrepancies,
    IReadOnlyList<MalformedStatementLine>? Malformed = null,
    bool Finished = true,
    int ChunksDone = 0,
    int Chunks = 0);
