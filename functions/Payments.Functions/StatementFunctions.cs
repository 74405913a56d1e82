using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Payments.Recovery;
using Payments.Saga;

namespace Payments.Functions;

/// <summary>The statement run as a Durable orchestrator function and its activities (stage, one chunk, finish, and the record of a run that gave up).</summary>
public sealed class StatementFunctions(StatementReconciler statements)
{
    [Function(StatementRun.Name)]
    [OrchestrationInput(typeof(StatementRunInput))]
    public static Task<StatementRunResult?> RunStatement([OrchestrationTrigger] TaskOrchestrationContext context) =>
        StatementRun.RunAsync(context, context.GetInput<StatementRunInput>()!);

    [Function(StatementActivityNames.Stage)]
    public Task<StagedStatement> Stage([ActivityTrigger] StatementStageRequest request, [DurableClient] DurableTaskClient durable) =>
        statements.StageAsync(request, durable);

    [Function(StatementActivityNames.ReconcileChunk)]
    public Task<ChunkResult> ReconcileChunk([ActivityTrigger] StatementChunk chunk, [DurableClient] DurableTaskClient durable) =>
        statements.ReconcileChunkAsync(chunk, durable);

    [Function(StatementActivityNames.Finish)]
    public Task<StatementRunResult> Finish([ActivityTrigger] StatementRunTotals totals) => statements.FinishAsync(totals);

    [Function(StatementActivityNames.Fail)]
    public Task Fail([ActivityTrigger] StatementRunFailure failure) => statements.FailAsync(failure);
}
