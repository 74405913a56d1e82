using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Payments.Saga;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// The engine as the Durable Azure Storage provider can behave under load, made certain: an event
/// raised while the instance is still Pending (its start not processed yet) is discarded, as the
/// provider discards an event it dequeues before the instance's start ("No such instance"); and
/// optionally one instance whose start stays deferred (Pending, never started). Everything else is
/// the test host's own client.
/// </summary>
/// <param name="stuckPendingInput">The stuck instance's input, as the engine would return it when asked for inputs.</param>
public sealed class DropsEventsBeforeStart(DurableTaskClient inner, string? stuckPending = null, object? stuckPendingInput = null) : DurableTaskClient(inner.Name)
{
    private int discarded;

    public int Discarded => discarded;

    public override async Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
    {
        if (await GetInstanceAsync(instanceId, cancellation) is { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
        {
            Interlocked.Increment(ref discarded);
            return;
        }
        await inner.RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);
    }

    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        instanceId == stuckPending
            ? new OrchestrationMetadata(OrderSaga.Name, instanceId)
            {
                RuntimeStatus = OrchestrationRuntimeStatus.Pending,
                // Readable as the engine's answer is when inputs are asked for.
                DataConverter = getInputsAndOutputs ? Microsoft.DurableTask.Converters.JsonDataConverter.Default : null,
                SerializedInput = getInputsAndOutputs && stuckPendingInput is not null ? Microsoft.DurableTask.Converters.JsonDataConverter.Default.Serialize(stuckPendingInput) : null,
            }
            : await inner.GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

    public override async Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        if (instanceId == stuckPending)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellation);
        }
        return await inner.WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);
    }

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
        inner.ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        inner.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.TerminateInstanceAsync(instanceId, options, cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        inner.SuspendInstanceAsync(instanceId, reason, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        inner.ResumeInstanceAsync(instanceId, reason, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => inner.GetAllInstancesAsync(filter);

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.PurgeInstanceAsync(instanceId, options, cancellation);

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        inner.PurgeAllInstancesAsync(filter, options, cancellation);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
