namespace Payments.Recovery;

/// <summary>
/// Asks for a day's statement to be staged under a run id the orchestration chose (deterministically):
/// every gateway's, or (a retry) only <paramref name="Providers"/>, as chunks numbered from
/// <paramref name="FirstChunk"/> after the <paramref name="LinesBefore"/> lines staged already. The first
/// <paramref name="ReconcileChunks"/> chunks of a first staging are reconciled as they are read instead.
/// </summary>
public sealed record StatementStageRequest(DateOnly Date, Guid Run, IReadOnlyList<string>? Providers = null, int FirstChunk = 0, long LinesBefore = 0, int ReconcileChunks = 0);
