using Payments.Demo;

namespace Payments.Tests;

/// <summary>The demo's patience for the pipeline to go quiet grows with its orders, so a large run on a loaded machine is not failed for being slow.</summary>
public sealed class DemoQuietTimeoutTests
{
    [Fact]
    public void A_small_run_keeps_the_floor_and_a_large_run_gets_time_per_order()
    {
        Assert.Equal(TimeSpan.FromSeconds(180), new DemoOptions { Orders = 50 }.QuietTimeout());
        // 500 orders reached 270 s with 283 still awaiting payment on a shared 2-core machine: the old fixed 180 s failed it.
        Assert.Equal(TimeSpan.FromSeconds(750), new DemoOptions { Orders = 500 }.QuietTimeout());
        Assert.Equal(TimeSpan.FromSeconds(600), new DemoOptions { Orders = 500, QuietSecondsPerOrder = 0, QuietTimeoutSeconds = 600 }.QuietTimeout());
    }
}
