using Microsoft.DurableTask.Client;
using Payments.LocalHost;

namespace Payments.Benchmarks.Saga;

/// <summary>One place the saga runs: its Durable client, the core services it was composed with, and how a payment reaches it.</summary>
public sealed class SagaBackend(string name, IServiceProvider services, DurableTaskClient durable, Uri? callbackUrl, IAsyncDisposable owner) : IAsyncDisposable
{
    public string Name { get; } = name;

    public IServiceProvider Services { get; } = services;

    public DurableTaskClient Durable { get; } = durable;

    /// <summary>Where signed callbacks go; null when the backend has no HTTP front (the in-memory engine).</summary>
    public Uri? CallbackUrl { get; } = callbackUrl;

    public static SagaBackend On(LocalFunctionsHost host, string name) =>
        new(name, host.Services, host.Durable, new Uri(host.BaseAddress, "api/callbacks/standard"), host);

    public ValueTask DisposeAsync() => owner.DisposeAsync();
}
