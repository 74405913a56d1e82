using Payments.Contracts;
using Payments.Ledger;
using Payments.Recovery;
using static Payments.Recovery.MoneyRules;

namespace Payments.Tests;

/// <summary>The money monitor's rules over rows, table by table, without storage.</summary>
public sealed class MoneyMonitorRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(60);

    public static readonly TheoryData<string, OrderStatus?, string, int, CaptureStanding> Captures = new()
    {
        // refunds of pay-1 ("state:amount,…"), order status (null: no order row), the order's own payment, minutes since the capture, standing
        { "", OrderStatus.Completed, "pay-1", 5, CaptureStanding.Settled },
        { "", OrderStatus.Completed, "pay-1", 500, CaptureStanding.Settled },
        { "Succeeded:700", OrderStatus.PartiallyRefunded, "pay-1", 500, CaptureStanding.Settled },
        { "Succeeded:1000", OrderStatus.Refunded, "pay-1", 500, CaptureStanding.Settled },
        { "Succeeded:1000", OrderStatus.Cancelled, "pay-1", 500, CaptureStanding.Settled },
        { "Succeeded:1000", OrderStatus.Completed, "pay-other", 500, CaptureStanding.Settled },
        { "Succeeded:400,Succeeded:600", OrderStatus.Refunded, "pay-1", 500, CaptureStanding.Settled },
        { "", OrderStatus.Paid, "pay-1", 59, CaptureStanding.Young },
        { "", OrderStatus.Paid, "pay-1", 61, CaptureStanding.Unsettled },
        { "", null, "pay-1", 61, CaptureStanding.Unsettled },
        { "", OrderStatus.Completed, "pay-other", 61, CaptureStanding.Unsettled },
        { "Pending:1000", OrderStatus.Refunded, "pay-1", 61, CaptureStanding.Refunding },
        { "Requested:1000", OrderStatus.Cancelled, "pay-1", 61, CaptureStanding.Refunding },
        { "Failed:1000", OrderStatus.RefundPending, "pay-1", 61, CaptureStanding.Unsettled },
        { "Failed:1000,Succeeded:1000", OrderStatus.Refunded, "pay-1", 61, CaptureStanding.Settled },
        { "Succeeded:400", OrderStatus.Refunded, "pay-1", 61, CaptureStanding.Unsettled },
        { "Succeeded:400,Pending:600", OrderStatus.Refunded, "pay-1", 61, CaptureStanding.Refunding },
        { "Closed:1000", OrderStatus.Cancelled, "pay-1", 61, CaptureStanding.Unsettled },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void A_capture_is_settled_young_refunding_or_a_finding(string refunds, OrderStatus? status, string orderPayment, int minutes, CaptureStanding expected)
    {
        var capture = new WatchedCapture("o1", "standard", "pay-1", 1000, "EUR", Now.AddMinutes(-minutes));
        var order = status is { } s ? Order(s, orderPayment) : null;
        var movements = Refunds(refunds);

        Assert.Equal(expected, JudgeCapture(capture, order, movements, Now, Bound));
        if (expected == CaptureStanding.Unsettled)
        {
            var finding = UnsettledCapture(capture, order, movements, Now);
            Assert.Equal((MoneyRuleNames.CaptureUnsettled, "o1", "pay-1", 1000L), (finding.Rule, finding.OrderId, finding.PaymentId, finding.AmountMinor));
            Assert.Contains(status is null ? "no order row" : $"order {status}", finding.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_refund_of_another_payment_of_the_order_does_not_settle_the_capture()
    {
        var capture = new WatchedCapture("o1", "standard", "pay-2", 1000, "EUR", Now.AddHours(-2));
        var movements = Refunds("Succeeded:1000"); // of pay-1

        Assert.Equal(CaptureStanding.Unsettled, JudgeCapture(capture, Order(OrderStatus.Completed, "pay-1"), movements, Now, Bound));
    }

    [Theory]
    [InlineData(71, "Pending", false)]
    [InlineData(73, "Pending", true)]
    [InlineData(73, "Requested", true)]
    [InlineData(73, null, true)]
    [InlineData(73, "Succeeded", false)]
    [InlineData(73, "Failed", false)]
    public void An_open_refund_is_a_finding_only_past_its_bound_and_while_not_final(int hours, string? state, bool finding)
    {
        var open = new OpenRefund("o1", "refund-pay-1", "standard", Now.AddHours(-hours), Checks: 9);
        var row = state is null ? null : Refunds($"{state}:1000")[0];

        var found = JudgeRefund(open, row, Now, TimeSpan.FromHours(72));

        Assert.Equal(finding, found is not null);
        Assert.Equal(hours > 72, IsRefundOverdue(open.ListedAt, Now, TimeSpan.FromHours(72)));
        if (found is not null)
        {
            Assert.Equal((MoneyRuleNames.RefundOverdue, "o1~refund-pay-1", "o1"), (found.Rule, found.Subject, found.OrderId));
        }
    }

    [Theory]
    [InlineData(25, 25, 0, false)]
    [InlineData(20, 25, 5, false)]
    [InlineData(0, 0, 0, false)]
    [InlineData(30, 25, 0, true)]
    [InlineData(25, 25, 5, true)]
    [InlineData(-5, 0, 0, true)]
    public void A_points_balance_is_a_finding_unless_it_is_grants_less_reversals(long balance, long granted, long reversed, bool finding)
    {
        var found = JudgePoints(new PointsTally("cust-1", balance, granted, reversed), Now);

        Assert.Equal(finding, found is not null);
        if (found is not null)
        {
            Assert.Equal((MoneyRuleNames.PointsBalance, "cust-1", "cust-1"), (found.Rule, found.Subject, found.CustomerId));
            Assert.Contains($"balance {balance}", found.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_panel_links_each_finding_to_its_order_s_timeline_or_the_customer_s_orders()
    {
        var capture = UnsettledCapture(new WatchedCapture("o1", "standard", "pay-1", 1000, "EUR", Now.AddHours(-2)), null, [], Now);
        var points = JudgePoints(new PointsTally("cust-1", 3, 0, 0), Now)!;

        var panel = Payments.Operations.MoneyPanel.From(new MoneyMonitorReport(Now, 1, 1, 0, 0, 1, new Dictionary<string, int>(), [capture, points]));

        Assert.Equal(["ops/console?q=o1", "ops/console?q=cust-1"], panel.Findings.Select(f => f.Timeline));
        Assert.Empty(panel.LastRun!.Findings); // listed once, in the rows
    }

    private static OrderRecord Order(OrderStatus status, string paymentId) =>
        new("o1", "cust-1", "standard", paymentId, 1000, "EUR", status, null, status.ToString(), 1000, Now.AddHours(-3), Now, []);

    private static List<MoneyMovement> Refunds(string refunds) =>
        [.. refunds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select((r, i) =>
        {
            var (state, amount) = (r.Split(':')[0], long.Parse(r.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
            return new MoneyMovement("o1", MoneyKinds.Refund, $"refund{i}-pay-1", "standard", "pay-1", amount, "EUR", state, MoneyInitiators.Pipeline, "test", null, Now, Now, [], i);
        })];
}
