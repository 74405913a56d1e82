using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Payments.Gateway;
using Payments.Ledger;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// Holds one saga step of one order at a boundary port (the gateway's close, the stock commit) until
/// the test lets it go, so a test can stage a race the pipeline must survive (a success arriving
/// while the saga cancels, an operator terminating a saga after it was paid). A held step, once let
/// go, fails: the saga then takes its failure path, and a terminated saga's step changes nothing.
/// </summary>
public sealed class StepGates
{
    private readonly ConcurrentDictionary<string, Gate> gates = new(StringComparer.Ordinal);

    /// <summary>Holds every close of <paramref name="paymentId"/>; each fails when let go (the gateway unreachable).</summary>
    public void HoldClose(string paymentId) => gates[Key("close", paymentId)] = new Gate();

    /// <summary>Holds every stock commit of <paramref name="orderId"/>; each fails when let go.</summary>
    public void HoldCommit(string orderId) => gates[Key("commit", orderId)] = new Gate();

    /// <summary>Holds the stock commit of <paramref name="orderId"/>; let go, it commits (an activity that outlives its terminated saga).</summary>
    public void HoldCommitThenCommit(string orderId) => gates[Key("commit", orderId)] = new Gate { Fails = false };

    /// <summary>Commits the first line of <paramref name="orderId"/>, then holds the rest of its commit (a commit that died half-way); it fails when let go.</summary>
    public void HoldCommitAfterFirstLine(string orderId) => gates[Key("commit-rest", orderId)] = new Gate();

    public Task CommitRestReachedAsync(string orderId) => gates[Key("commit-rest", orderId)].Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public void LetCommitRestGo(string orderId) => gates[Key("commit-rest", orderId)].Go.TrySetResult();

    internal bool Holds(string step, string id) => gates.ContainsKey(Key(step, id));

    /// <summary>Holds every refund of <paramref name="paymentId"/> at the gateway; each fails when let go.</summary>
    public void HoldRefund(string paymentId) => gates[Key("refund", paymentId)] = new Gate();

    public Task RefundReachedAsync(string paymentId) => gates[Key("refund", paymentId)].Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

    /// <summary>Lets the held refund go (it fails) and lets every later refund of the payment through.</summary>
    public void OpenRefund(string paymentId)
    {
        if (gates.TryRemove(Key("refund", paymentId), out var gate))
        {
            gate.Go.TrySetResult();
        }
    }

    public Task CloseReachedAsync(string paymentId) => gates[Key("close", paymentId)].Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public Task CommitReachedAsync(string orderId) => gates[Key("commit", orderId)].Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public void LetCloseGo(string paymentId) => gates[Key("close", paymentId)].Go.TrySetResult();

    public void LetCommitGo(string orderId) => gates[Key("commit", orderId)].Go.TrySetResult();

    /// <summary>Wraps the host's gateway port and stock port (call after the core's registrations).</summary>
    public void Install(IServiceCollection services)
    {
        Wrap<IPaymentGateway>(services, inner => new GatedGateway(inner, this));
        Wrap<IStockReservations>(services, inner => new GatedStock(inner, this));
    }

    /// <summary>Returns at once when the step is not held; else waits until the test lets it go, then throws.</summary>
    internal async Task PassAsync(string step, string id)
    {
        if (!gates.TryGetValue(Key(step, id), out var gate))
        {
            return;
        }
        gate.Reached.TrySetResult();
        await gate.Go.Task;
        if (gate.Fails)
        {
            throw new HttpRequestException($"{step} of {id} held by the test and then failed");
        }
    }

    private static string Key(string step, string id) => step + "/" + id;

    /// <summary>Replaces the last registration of <typeparamref name="TService"/> with <paramref name="wrap"/> around it.</summary>
    internal static void Wrap<TService>(IServiceCollection services, Func<TService, TService> wrap) where TService : class
    {
        var index = services.Count - 1;
        while (services[index].ServiceType != typeof(TService) || services[index].IsKeyedService)
        {
            index--;
        }
        var original = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(TService), sp => wrap((TService)(
            original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!))), original.Lifetime);
    }

    private sealed class Gate
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Fails { get; init; } = true;
    }
}
