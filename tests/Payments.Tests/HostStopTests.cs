using System.Reflection;
using Azure.Data.Tables;
using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Payments.LocalHost;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// A host's stop never ends its process: the Durable provider's stop is awaited within a bound, and a
/// provider that cannot stop (its storage is gone, so its partition leases cannot be released) is
/// logged and left behind instead of throwing from the sidecar's stopping callback.
/// </summary>
public sealed class HostStopTests
{
    [Fact]
    public async Task A_host_whose_storage_went_away_returns_from_its_stop()
    {
        var azurite = await AzuriteProcess.StartAsync(RepoPaths.Root);
        var prefix = "tstop" + Guid.NewGuid().ToString("N")[..6];
        var settings = await PipelineHost.SettingsAsync(prefix, FreePort.Next());
        settings["AzureWebJobsStorage"] = azurite.ConnectionString;
        settings["PaymentsStorage:ConnectionString"] = azurite.ConnectionString;
        settings["LocalHost:StopSeconds"] = "3";
        settings["LocalHost:LeaseSeconds"] = "5";
        var host = await LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings));
        await RunOneOrchestrationAsync(host);

        await azurite.DisposeAsync();
        var stop = await Record.ExceptionAsync(async () => await host.DisposeAsync());

        Assert.Null(stop);
    }

    [Fact]
    public async Task A_host_has_released_its_partition_leases_when_its_stop_returns()
    {
        var prefix = "tstop" + Guid.NewGuid().ToString("N")[..6];
        var settings = await PipelineHost.SettingsAsync(prefix, FreePort.Next());
        var host = await LocalFunctionsHost.StartAsync(LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), settings));
        await RunOneOrchestrationAsync(host);
        var partitions = new TableClient((await Azurite.SharedAsync()).ConnectionString, prefix + "hubPartitions");
        Assert.Contains(await Collect.AllAsync(partitions.QueryAsync<TableEntity>()), p => !string.IsNullOrEmpty(p.GetString("CurrentOwner")));

        await host.DisposeAsync();

        // Whoever owns the storage may stop it now: no partition is still held by the stopped host.
        var after = await Collect.AllAsync(partitions.QueryAsync<TableEntity>());
        Assert.NotEmpty(after);
        Assert.All(after, p => Assert.True(string.IsNullOrEmpty(p.GetString("CurrentOwner")), $"partition {p.RowKey} still owned by {p.GetString("CurrentOwner")}"));
    }

    [Fact]
    public async Task A_provider_stop_that_fails_is_logged_not_thrown_and_runs_once()
    {
        var provider = Provider.Create(() => Task.FromException(new TimeoutException("Timed-out waiting for the partition manager to shut down.")));
        var guarded = new GuardedStopService(provider, NullLogger.Instance);

        var fromCallback = await Record.ExceptionAsync(() => guarded.StopAsync());
        var fromHost = await Record.ExceptionAsync(() => guarded.WaitStoppedAsync(TimeSpan.FromSeconds(30)));

        Assert.Null(fromCallback);
        Assert.Null(fromHost);
        Assert.Equal(1, ((Provider)(object)provider).Stops);
    }

    [Fact]
    public async Task A_provider_stop_that_hangs_is_waited_for_only_within_the_bound()
    {
        var never = new TaskCompletionSource();
        var guarded = new GuardedStopService(Provider.Create(() => never.Task), NullLogger.Instance);

        await guarded.WaitStoppedAsync(TimeSpan.FromMilliseconds(200));

        Assert.False(never.Task.IsCompleted);
    }

    /// <summary>The worker is connected and the provider holds its partitions once an orchestration has run.</summary>
    private static async Task RunOneOrchestrationAsync(LocalFunctionsHost host)
    {
        await host.Durable.ScheduleNewOrchestrationInstanceAsync("NoSuchOrchestration", input: null, new StartOrchestrationOptions("stop-probe"));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.Durable.WaitForInstanceCompletionAsync("stop-probe", wait.Token);
    }

    /// <summary>A provider whose stop does what the test says and whose other members are never called.</summary>
    public class Provider : DispatchProxy
    {
        private Func<Task> stop = () => Task.CompletedTask;

        public int Stops { get; private set; }

        public static IOrchestrationService Create(Func<Task> stop)
        {
            var proxy = Create<IOrchestrationService, Provider>();
            ((Provider)(object)proxy).stop = stop;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IOrchestrationService.StopAsync))
            {
                Stops++;
                return stop();
            }
            throw new NotSupportedException($"{targetMethod?.Name} is not part of a stop.");
        }
    }
}
