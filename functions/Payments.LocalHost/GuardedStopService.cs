using DurableTask.Core;

namespace Payments.LocalHost;

/// <summary>
/// The Azure Storage provider as the sidecar's dispatchers see it, with a stop that is awaited,
/// bounded and never throws. The sidecar stops its provider from an <c>async void</c> callback on
/// <c>ApplicationStopping</c>: nothing waits for it, and when storage is gone the partition manager
/// gives up on its leases ten minutes later with an exception that, thrown there, ends the process.
/// Here the stop runs once, its failure is logged, and <see cref="WaitStoppedAsync"/> lets the host's
/// own stop wait for it, within a bound, before anyone takes the storage away.
/// </summary>
public sealed class GuardedStopService(IOrchestrationService inner, ILogger log) : IOrchestrationService
{
    private readonly Lock gate = new();
    private Task? stopping;

    /// <summary>Waits for the provider's stop (started here if nobody started it) for at most <paramref name="bound"/>.</summary>
    public async Task WaitStoppedAsync(TimeSpan bound)
    {
        var stop = StopOnce();
        if (await Task.WhenAny(stop, Task.Delay(bound)) != stop)
        {
            LocalHostLog.DurableStopOverran(log, bound.TotalSeconds);
        }
    }

    public Task StopAsync() => StopOnce();

    public Task StopAsync(bool isForced) => StopOnce();

    private Task StopOnce()
    {
        lock (gate)
        {
            return stopping ??= StopInnerAsync();
        }
    }

    private async Task StopInnerAsync()
    {
        try
        {
            await inner.StopAsync();
        }
        catch (Exception ex)
        {
            // Surfaced as a log line rather than rethrown: the process is stopping, leases expire on
            // their own (LeaseSeconds), and a throw here would crash the process from a callback.
            LocalHostLog.DurableStopFailed(log, ex);
        }
    }

    public Task StartAsync() => inner.StartAsync();

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) =>
        inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);
}
