using Payments.Contracts;

namespace Payments.Demo.Driving;

/// <summary>
/// Turns a seed into a reproducible set of orders and customer actions: which skus, which provider,
/// who pays when (or not, or twice, or too much), when the order service registers each order, and
/// which sagas an operator terminates after they were paid.
/// </summary>
public static class OrderPlanner
{
    private static readonly string[] RegularSkus = ["sku-a", "sku-b", "sku-c", "sku-d", "sku-e"];

    public static (IReadOnlyList<OrderPlan> Orders, StockPlan Stock) Plan(PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var customers = Math.Max(3, options.Orders / 3);
        var behaviours = Deal(random, options.Mix, options.Orders);
        var scarce = Deal(random, new Dictionary<bool, int> { [true] = Share(options.ScarceShare), [false] = 1000 - Share(options.ScarceShare) }, options.Orders);
        var broken = Deal(random, new Dictionary<bool, int> { [true] = Share(options.BrokenShare), [false] = 1000 - Share(options.BrokenShare) }, options.Orders);
        var plans = new List<OrderPlan>(options.Orders);
        for (var i = 0; i < options.Orders; i++)
        {
            var orderId = $"o{options.Seed}-{i:D4}";
            var lines = new List<OrderLine>();
            foreach (var sku in RegularSkus.OrderBy(_ => random.Next()).Take(random.Next(1, 3)))
            {
                lines.Add(new OrderLine(sku, random.Next(1, 4)));
            }
            if (scarce[i])
            {
                lines.Add(new OrderLine(options.ScarceSku, 1));
            }
            if (broken[i])
            {
                lines.Add(new OrderLine(options.BrokenSku, 1));
            }
            if (behaviours[i] == CustomerBehaviour.TerminatedAfterPaid)
            {
                lines.Add(new OrderLine(options.StallingSku, 1));
            }
            var amount = random.Next(10, 400) * 50L;
            var provider = options.Gateways[random.Next(options.Gateways.Count)];
            var behaviour = behaviours[i];
            var paymentId = behaviour == CustomerBehaviour.PaysAfterUnclosedCancel ? options.UnclosablePaymentPrefix + orderId : $"pay-{orderId}";
            var order = new OrderRequest(orderId, $"cust-{random.Next(customers):D3}", lines, amount, GatewaySimulator.PaymentProviders.DemoCurrency(provider), provider, paymentId);
            var start = TimeSpan.FromSeconds(i / options.RegistrationsPerSecond);
            var wrongAmount = random.Next(2) == 0 ? amount - 50 : amount + 100;
            plans.Add(new OrderPlan(order, behaviour, Steps(behaviour, start, options.PaymentWindow, random), wrongAmount));
        }

        var levels = RegularSkus.ToDictionary(s => s, _ => (long)options.Orders * 3);
        levels[options.ScarceSku] = options.ScarceStock;
        levels[options.BrokenSku] = options.Orders;
        levels[options.StallingSku] = options.Orders;
        return (plans, new StockPlan(levels, options.ScarceSku, options.BrokenSku));
    }

    private static int Share(double share) => (int)Math.Round(Math.Clamp(share, 0, 1) * 1000);

    /// <summary>
    /// Deals <paramref name="count"/> values in proportion to their weights (largest remainder), every
    /// value with a weight at least once when there is room, then shuffles them: even a small run
    /// gets each behaviour, and the shares are exact rather than left to chance.
    /// </summary>
    private static T[] Deal<T>(Random random, IReadOnlyDictionary<T, int> weights, int count) where T : notnull
    {
        var present = weights.Where(w => w.Value > 0).ToArray();
        var total = present.Sum(w => w.Value);
        var exact = present.Select(w => (Value: w.Key, Share: (double)w.Value * count / total)).ToArray();
        var dealt = exact.ToDictionary(e => e.Value, e => (int)Math.Floor(e.Share));
        foreach (var (value, _) in exact.OrderByDescending(e => e.Share - Math.Floor(e.Share)).Take(count - dealt.Values.Sum()))
        {
            dealt[value]++;
        }
        foreach (var (value, _) in exact.Where(e => dealt[e.Value] == 0))
        {
            var richest = dealt.MaxBy(d => d.Value).Key;
            if (dealt[richest] > 1)
            {
                dealt[richest]--;
                dealt[value]++;
            }
        }
        var deck = dealt.SelectMany(d => Enumerable.Repeat(d.Key, d.Value)).ToArray();
        random.Shuffle(deck);
        return deck;
    }

    private static IReadOnlyList<CustomerStep> Steps(CustomerBehaviour behaviour, TimeSpan start, TimeSpan window, Random random)
    {
        TimeSpan Seconds(double min, double max) => start + TimeSpan.FromSeconds(min + random.NextDouble() * (max - min));
        CustomerStep[] Registered(params CustomerStep[] then) =>
            [new(start, StepKind.CreatePayment), new(start, StepKind.Register), .. then];

        var w = window.TotalSeconds;
        switch (behaviour)
        {
            case CustomerBehaviour.PaysPromptly:
                return Registered(new CustomerStep(Seconds(0.5, 6), StepKind.Pay));
            case CustomerBehaviour.PaysAroundWindowEnd:
                return Registered(new CustomerStep(Seconds(w - 3, w + 2), StepKind.Pay));
            case CustomerBehaviour.PaysAfterWindow:
                return Registered(new CustomerStep(Seconds(w + 8, w + 12), StepKind.Pay));
            case CustomerBehaviour.NeverPays:
                return Registered();
            case CustomerBehaviour.Fails:
                return Registered(new CustomerStep(Seconds(0.5, 6), StepKind.Fail));
            case CustomerBehaviour.FailsThenPays:
                var failAt = Seconds(0.5, 4);
                return Registered(new CustomerStep(failAt, StepKind.Fail), new CustomerStep(failAt + TimeSpan.FromSeconds(1 + random.NextDouble() * 4), StepKind.Pay));
            case CustomerBehaviour.FailsThenPaysDuringCancel:
                return Registered(new CustomerStep(Seconds(0.5, 4), StepKind.Fail), new CustomerStep(Seconds(w - 1, w + 1.5), StepKind.Pay));
            case CustomerBehaviour.PaysTwice:
                var firstPay = Seconds(0.5, 5);
                return Registered(new CustomerStep(start, StepKind.CreateSecondPayment), new CustomerStep(firstPay, StepKind.Pay),
                    new CustomerStep(firstPay + TimeSpan.FromSeconds(random.NextDouble() * 4), StepKind.PaySecond));
            case CustomerBehaviour.PaysAfterUnclosedCancel:
                // After the window, the query and the close's retries: mostly after the cancel, sometimes during it.
                return Registered(new CustomerStep(Seconds(w + 6, w + 14), StepKind.Pay));
            case CustomerBehaviour.TerminatedAfterPaid:
                var paidAt = Seconds(0.5, 4);
                return Registered(new CustomerStep(paidAt, StepKind.Pay), new CustomerStep(paidAt, StepKind.TerminateWhenPaid));
            case CustomerBehaviour.PaysWrongAmount:
                return Registered(new CustomerStep(Seconds(0.5, 6), StepKind.PayWrongAmount));
            case CustomerBehaviour.PaysBeforeRegistration:
                return [new(start, StepKind.CreatePayment), new(start, StepKind.Pay), new(Seconds(2, 6), StepKind.Register)];
            case CustomerBehaviour.RefundedAfterSale:
                var boughtAt = Seconds(0.5, 5);
                return Registered(new CustomerStep(boughtAt, StepKind.Pay), new CustomerStep(boughtAt, StepKind.RefundAfterSaleWhenCompleted));
            case CustomerBehaviour.RefundedInDashboard:
                var chargedAt = Seconds(0.5, 5);
                return Registered(new CustomerStep(chargedAt, StepKind.Pay), new CustomerStep(chargedAt, StepKind.RefundInDashboardWhenCompleted));
            case CustomerBehaviour.RefundFailsAfterSale:
                var refundedSoldAt = Seconds(0.5, 5);
                return Registered(new CustomerStep(refundedSoldAt, StepKind.Pay), new CustomerStep(refundedSoldAt, StepKind.RefundFailingAfterSaleWhenCompleted));
            case CustomerBehaviour.TerminatedBeforePayment:
                var crashAt = Seconds(0.5, 3);
                return Registered(new CustomerStep(crashAt, StepKind.TerminateWhileAwaitingPayment), new CustomerStep(crashAt + TimeSpan.FromSeconds(2 + random.NextDouble() * 10), StepKind.Pay));
            case CustomerBehaviour.DisputedAndLost or CustomerBehaviour.DisputedAndWon:
                var soldAt = Seconds(0.5, 5);
                return Registered(new CustomerStep(soldAt, StepKind.Pay),
                    new CustomerStep(soldAt, behaviour == CustomerBehaviour.DisputedAndLost ? StepKind.DisputeLostWhenCompleted : StepKind.DisputeWonWhenCompleted));
            case CustomerBehaviour.PaysLongBeforeRegistration:
                return [new(start, StepKind.CreatePayment), new(start, StepKind.Pay), new(Seconds(16, 26), StepKind.Register)];
            default:
                throw new ArgumentOutOfRangeException(nameof(behaviour), behaviour, null);
        }
    }
}
