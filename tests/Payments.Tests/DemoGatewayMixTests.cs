using GatewaySimulator;
using Payments.Demo;
using Payments.Demo.Driving;

namespace Payments.Tests;

/// <summary><c>--Demo:Gateways</c>: which gateways the demo's orders are spread over; by default every dialect the simulator speaks.</summary>
public sealed class DemoGatewayMixTests
{
    [Fact]
    public void By_default_the_demo_mixes_every_dialect_the_simulator_speaks()
    {
        Assert.Equal(PaymentProviders.All, new DemoOptions().GatewayMix());
        var (plans, _) = OrderPlanner.Plan(new PlannerOptions { Orders = 200, Seed = 3 });
        Assert.Equal(PaymentProviders.All.Order(), plans.Select(p => p.Order.Provider).Distinct().Order());
    }

    [Theory]
    [InlineData("simulator,stripe", new[] { "standard", "stripe" })]
    [InlineData(" stripe ", new[] { "stripe" })]
    [InlineData("simulator", new[] { "standard" })]
    public void A_named_mix_places_orders_only_on_those_gateways(string setting, string[] expected)
    {
        var mix = new DemoOptions { Gateways = setting }.GatewayMix();
        var (plans, _) = OrderPlanner.Plan(new PlannerOptions { Orders = 100, Seed = 3, Gateways = mix });

        Assert.Equal(expected, mix);
        Assert.Equal(expected.Order(), plans.Select(p => p.Order.Provider).Distinct().Order());
    }

    [Fact]
    public void A_gateway_the_simulator_does_not_speak_is_refused_by_name()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new DemoOptions { Gateways = "simulator,paypal" }.GatewayMix());
        Assert.Contains("paypal", refused.Message, StringComparison.Ordinal);
    }
}
