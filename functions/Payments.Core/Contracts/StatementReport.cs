namespace Payments.Contracts;

/// <summary>
/// A day's statement reconciliation: lines read, every discrepancy found (new ones counted for the
/// latest run), every malformed line isolated, and how far the run has got (<see cref="Finished"/>
/// is false while its chunks are still being worked through), the gateways whose statement could not be
/// read (<see cref="SourceFailures"/>: not reconciled, retried by the run) and, for a run that gave up,
/// why (<see cref="Failure"/>).
/// </summary>
public sealed record StatementReport(
    DateOnly Date,
    long Lines,
    int NewDiscrepancies,
    IReadOnlyList<Discrepancy> Discrepancies,
    IReadOnlyList<MalformedStatementLine>? Malformed = null,
    bool Finished = true,
    int ChunksDone = 0,
    int Chunks = 0,
    IReadOnlyList<StatementSourceFailure>? SourceFailures = null,
    string? Failure = null);
