namespace Payments.Recovery;

/// <summary>A day's statement copied into a run's chunks: the run's id, how many chunks, how many rows.</summary>
public sealed record StagedStatement(DateOnly Date, Guid Run, int Chunks, long Lines);
