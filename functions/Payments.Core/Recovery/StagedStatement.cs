using Payments.Contracts;

namespace Payments.Recovery;

/// <summary>
/// A day's statement copied into a run's chunks: the run's id, how many chunks, how many rows, and the
/// gateways whose statement could not be read (none of their rows is staged; the run asks them again).
/// The first <paramref name="ReconciledChunks"/> chunks were reconciled by the staging step itself, from
/// memory, and never staged; when that was all of the day, the step finished the run too (<paramref name="Finished"/>).
/// </summary>
public sealed record StagedStatement(
    DateOnly Date,
    Guid Run,
    int Chunks,
    long Lines,
    IReadOnlyList<StatementSourceFailure>? FailedSources = null,
    int ReconciledChunks = 0,
    StatementRunResult? Finished = null);
