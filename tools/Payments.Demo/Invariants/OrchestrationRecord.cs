using Microsoft.DurableTask.Client;
using Payments.Contracts;

namespace Payments.Demo.Invariants;

/// <summary>
/// One orchestration instance as the Durable backend knows it; <paramref name="Outcome"/> is the
/// saga's (or refund's) output when it completed.
/// </summary>
public sealed record OrchestrationRecord(
    string InstanceId,
    OrchestrationRuntimeStatus RuntimeStatus,
    SagaOutcome? Outcome,
    DateTimeOffset LastUpdatedAt);
