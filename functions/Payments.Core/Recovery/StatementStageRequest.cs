namespace Payments.Recovery;

/// <summary>Asks for a day's statement to be staged under a run id the orchestration chose (deterministically).</summary>
public sealed record StatementStageRequest(DateOnly Date, Guid Run);
