using Microsoft.DurableTask.Client;
using Payments.Contracts;

namespace Payments.Saga.Tests.Infrastructure;

/// <summary>One orchestration started on the <see cref="SagaEngine"/>: raise its payment events, wait for its outcome.</summary>
public sealed class SagaRun(DurableTaskClient client, string instanceId, SagaScript script)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private int events;

    public SagaScript Script => script;

    public OrderRequest Order => script.Order;

    /// <summary>A success for the order's payment, by default of exactly what the order asks.</summary>
    public Task PayAsync(long? amountMinor = null, string? currency = null) => RaiseAsync(PaymentEventKind.Succeeded, amountMinor: amountMinor, currency: currency);

    public Task FailAsync() => RaiseAsync(PaymentEventKind.Failed);

    /// <summary>A callback as dispatch raises it; each gets its own event id, like a gateway's separate notices.</summary>
    public Task RaiseAsync(PaymentEventKind kind, string? paymentId = null, long? amountMinor = null, string? currency = null, string? provider = null) =>
        client.RaiseEventAsync(instanceId, PaymentEvent.SagaEventName, new PaymentEvent(
            provider ?? Order.Provider,
            $"evt_{Order.OrderId}_{Interlocked.Increment(ref events)}",
            kind,
            paymentId ?? Order.PaymentId,
            Order.OrderId,
            amountMinor ?? Order.AmountMinor,
            currency ?? Order.Currency,
            DateTimeOffset.UtcNow));

    public async Task WaitForStepAsync(string step)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await CustomStatusAsync() != step)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{instanceId} never showed step {step}; it shows {await CustomStatusAsync()}. Calls:\n{script}");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>The orchestration's output once it completes; a failed orchestration fails the test with its cause.</summary>
    public async Task<SagaOutcome> OutcomeAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        OrchestrationMetadata instance;
        try
        {
            instance = await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{instanceId} did not finish within {Patience.TotalSeconds} s; it shows {await CustomStatusAsync()}. Calls:\n{script}");
        }
        Assert.True(instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"{instanceId} ended {instance.RuntimeStatus}: {instance.FailureDetails}\nCalls:\n{script}");
        return instance.ReadOutputAs<SagaOutcome>()!;
    }

    /// <summary>The orchestration once it ended, however it ended (for sagas a test expects to fail).</summary>
    public async Task<OrchestrationMetadata> EndAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        return await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cts.Token);
    }

    public async Task<string?> CustomStatusAsync() =>
        (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true))?.ReadCustomStatusAs<string>();
}
