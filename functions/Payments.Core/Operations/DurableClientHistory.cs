using DurableTask.Core.History;
using Microsoft.DurableTask.Client;

namespace Payments.Operations;

/// <summary>The history as the Durable client serves it (<see cref="DurableTaskClient.GetOrchestrationHistoryAsync"/>).</summary>
public sealed class DurableClientHistory : IOrchestrationHistory
{
    public async Task<IReadOnlyList<SagaHistoryEvent>> ReadAsync(string instanceId, DurableTaskClient durable, CancellationToken ct)
    {
        IList<HistoryEvent> history;
        try
        {
            history = await durable.GetOrchestrationHistoryAsync(instanceId, ct);
        }
        catch (Exception ex) when (ex is NotSupportedException or NotImplementedException || ex.GetType().Name == "RpcException")
        {
            // This backend serves no history: the timeline shows the instance's status instead.
            return [];
        }
        return [.. history.Select(ToEvent)];
    }

    private static SagaHistoryEvent ToEvent(HistoryEvent e)
    {
        var at = new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc));
        var type = e.EventType.ToString();
        return e switch
        {
            ExecutionStartedEvent started => new(at, type, e.EventId, null, started.Name, started.Input, null, null),
            TaskScheduledEvent task => new(at, type, e.EventId, null, task.Name, task.Input, null, null),
            TaskCompletedEvent done => new(at, type, e.EventId, done.TaskScheduledId, null, null, done.Result, null),
            TaskFailedEvent failed => new(at, type, e.EventId, failed.TaskScheduledId, null, null, null, failed.FailureDetails?.ErrorMessage ?? failed.Reason),
            TimerCreatedEvent timer => new(at, type, e.EventId, null, null, null, timer.FireAt.ToString("O"), null),
            TimerFiredEvent fired => new(at, type, e.EventId, fired.TimerId, null, null, fired.FireAt.ToString("O"), null),
            EventRaisedEvent raised => new(at, type, e.EventId, null, raised.Name, raised.Input, null, null),
            ExecutionCompletedEvent completed => new(at, type, e.EventId, null, completed.OrchestrationStatus.ToString(), null, completed.Result, completed.FailureDetails?.ErrorMessage),
            ExecutionTerminatedEvent terminated => new(at, type, e.EventId, null, null, terminated.Input, null, null),
            _ => new(at, type, e.EventId, null, null, null, null, null),
        };
    }
}
