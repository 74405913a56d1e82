namespace Payments.Recovery;

/// <summary>The statement run's activity function names, shared by the orchestrator and both hosts.</summary>
public static class StatementActivityNames
{
    public const string Stage = "StageStatement";
    public const string ReconcileChunk = "ReconcileStatementChunk";
    public const string Finish = "FinishStatementRun";
    public const string Fail = "FailStatementRun";
}
