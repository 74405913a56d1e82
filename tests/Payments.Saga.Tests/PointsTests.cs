using Payments.Contracts;
using Payments.Saga.Tests.Infrastructure;

namespace Payments.Saga.Tests;

/// <summary>Loyalty points retry on their own durable back-off; when it is exhausted they are parked and never undo the payment.</summary>
public sealed class PointsTests
{
    [Fact]
    public async Task Points_failing_transiently_are_retried_past_the_steps_budget_and_the_order_completes()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.FailsFirst(GrantPoints, 2));

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(3, saga.Script.Attempts(GrantPoints));
        Assert.Empty(saga.Script.Parked);
    }

    [Fact]
    public async Task Points_exhausted_are_parked_and_the_order_completes_without_refund()
    {
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(GrantPoints), amountMinor: 5000);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, "points_parked", PointsParked: true), await saga.OutcomeAsync());
        // The folded SettlePaidOrder's one try, then the grant on its own with the points back-off.
        Assert.Equal(1 + TestSaga.Settings.PointsMaxAttempts, saga.Script.Attempts(GrantPoints));
        var parked = Assert.Single(saga.Script.Parked);
        Assert.Equal((ParkedKinds.PointsGrant, $"Granting 50 points to {saga.Order.CustomerId} failed 3 times."), (parked.Kind, parked.Reason));
        Assert.Contains("GrantPoints failed as scripted (call 4)", parked.Detail);
        Assert.Empty(saga.Script.Refunds);
        Assert.Equal(0, saga.Script.Attempts(ReleaseStock));
        var completed = saga.Script.Recorded[^1];
        Assert.Equal((OrderStatus.Completed, "points_parked"), (completed.Status, completed.Reason));
    }

    [Fact]
    public async Task Points_retries_wait_the_points_back_off_doubling_each_time()
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        var saga = await TestSaga.AwaitingPaymentAsync(s => s.AlwaysFails(GrantPoints), TestSaga.Settings with { PointsBackoff = backoff });

        await saga.PayAsync();

        Assert.True((await saga.OutcomeAsync()).PointsParked);
        // After the folded step's one try, the grant's own attempts under the points policy.
        var starts = saga.Script.Calls.Where(c => c.Activity == GrantPoints).Skip(1).Select(c => c.StartedAt).ToArray();
        Assert.Equal(3, starts.Length);
        Assert.InRange(starts[1] - starts[0], backoff, TimeSpan.MaxValue);
        Assert.InRange(starts[2] - starts[1], 2 * backoff, TimeSpan.MaxValue);
    }

    [Theory]
    [InlineData("EUR", 4250, 42)]
    [InlineData("JPY", 4250, 4250)]
    [InlineData("jpy", 4250, 4250)]
    [InlineData("BHD", 4250, 4)]
    public async Task Points_are_counted_per_major_unit_of_the_order_currency(string currency, long amountMinor, long points)
    {
        var saga = await TestSaga.AwaitingPaymentAsync(amountMinor: amountMinor, currency: currency);

        await saga.PayAsync();

        Assert.Equal(new SagaOutcome(OrderStatus.Completed, null), await saga.OutcomeAsync());
        Assert.Equal(points, Assert.Single(saga.Script.Requests<PointsRequest>(GrantPoints)).Points);
    }
}
