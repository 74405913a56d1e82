using Microsoft.Azure.Functions.Worker;
using Payments.Demo.Reporting;
using Payments.Functions;
using Payments.Ledger;
using Payments.Recovery;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

public sealed class RelayMeterFixture : PipelineFixture
{
    protected override Task<PipelineHost> StartAsync() => PipelineHost.StartAsync(
        "relaymeter", settings => settings["Faults:IntakeDispatchFailureRate"] = "1.0");
}

/// <summary>The demo's report counts recoveries from the pipeline's meter (<see cref="RecoveryMeter"/>), which the recovery paths feed.</summary>
public sealed class RecoveryMeterTests(RelayMeterFixture fixture) : IClassFixture<RelayMeterFixture>
{
    [Fact]
    public async Task An_outbox_relay_is_counted_on_the_meter_the_demo_report_reads()
    {
        using var meter = new RecoveryMeter();
        var pipeline = fixture.Pipeline;
        await pipeline.Service<StockLedger>().SetLevelAsync("sku-relaymeter", 1);
        var order = await pipeline.RegisterOrderAsync("relaymeter1", sku: "sku-relaymeter");
        await pipeline.WaitForStepAsync(order.OrderId, "AwaitingPayment");
        await pipeline.Gateway.PayAsync(order.PaymentId);
        await pipeline.Gateway.WaitForDeliveriesAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(OutboxRelay.SettleTime);

        var report = await pipeline.Function<RecoveryFunctions>().Reconcile(new TimerInfo(), pipeline.Durable, CancellationToken.None);

        Assert.Equal(1, report.Relay.Relayed);
        Assert.True(meter.Total(PipelineMetrics.OutboxRelayedName) >= 1);
    }
}
