using Microsoft.DurableTask.Client;

namespace Payments.Operations;

/// <summary>
/// Reads an orchestration's Durable history. In the Functions app through the Durable client
/// (<see cref="DurableClientHistory"/>); the local host, whose gRPC sidecar streams no history,
/// reads its Azure Storage backend instead. Empty when the backend serves none.
/// </summary>
public interface IOrchestrationHistory
{
    Task<IReadOnlyList<SagaHistoryEvent>> ReadAsync(string instanceId, DurableTaskClient durable, CancellationToken ct);
}
