namespace Payments.Operations;

/// <summary>
/// One event of an orchestration's Durable history, as the timeline needs it: its type
/// (<c>TaskScheduled</c>, <c>TaskCompleted</c>, <c>EventRaised</c>, …), the event id and, for a
/// task's completion or failure, the id of the event that scheduled it; name, input, result or failure.
/// </summary>
public sealed record SagaHistoryEvent(DateTimeOffset At, string EventType, int EventId, int? ScheduledId, string? Name, string? Input, string? Result, string? Failure);
