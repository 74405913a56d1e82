namespace Payments.Storage;

/// <summary>One row of <see cref="OpenOrchestrationIndex"/>: an orchestration a sweep has not yet seen ended and settled.</summary>
public sealed record OpenOrchestration(string Kind, string RowKey, string InstanceId, DateTimeOffset StartedAt);
