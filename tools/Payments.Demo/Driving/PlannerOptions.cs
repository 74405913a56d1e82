namespace Payments.Demo.Driving;

/// <summary>How many orders, how fast, and the share of each customer behaviour.</summary>
public sealed record PlannerOptions
{
    public int Orders { get; init; } = 200;

    public int Seed { get; init; } = 7;

    /// <summary>The order service's pace; orders also arrive while earlier ones are being paid.</summary>
    public double RegistrationsPerSecond { get; init; } = 8;

    /// <summary>The pipeline's payment window (Saga:PaymentWindowSeconds), so late payers can aim at its end.</summary>
    public TimeSpan PaymentWindow { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The gateways orders are spread over, evenly at random (provider names).</summary>
    public IReadOnlyList<string> Gateways { get; init; } = GatewaySimulator.PaymentProviders.All;

    /// <summary>Relative weights of each behaviour; missing ones never happen.</summary>
    public IReadOnlyDictionary<CustomerBehaviour, int> Mix { get; init; } = RealisticMix;

    /// <summary>Share of orders that also want one unit of the scarce sku (some of them find it out of stock).</summary>
    public double ScarceShare { get; init; } = 0.04;

    /// <summary>Share of orders that include the sku whose stock commit always fails.</summary>
    public double BrokenShare { get; init; } = 0.03;

    public string ScarceSku { get; init; } = "sku-rare";

    public string BrokenSku { get; init; } = "sku-broken";

    /// <summary>The sku whose stock commit stalls (Faults:StallingCommitSkus); only orders whose saga the operator terminates carry it.</summary>
    public string StallingSku { get; init; } = "sku-stall";

    /// <summary>Payment ids with this prefix cannot be closed (Faults:UnclosablePaymentPrefix); only the orders planned so carry it.</summary>
    public string UnclosablePaymentPrefix { get; init; } = "pay-unclosable-";

    public long ScarceStock { get; init; } = 3;

    public static IReadOnlyDictionary<CustomerBehaviour, int> RealisticMix { get; } = new Dictionary<CustomerBehaviour, int>
    {
        [CustomerBehaviour.PaysPromptly] = 62,
        [CustomerBehaviour.PaysAroundWindowEnd] = 4,
        [CustomerBehaviour.PaysAfterWindow] = 2,
        [CustomerBehaviour.NeverPays] = 5,
        [CustomerBehaviour.Fails] = 5,
        [CustomerBehaviour.FailsThenPays] = 5,
        [CustomerBehaviour.FailsThenPaysDuringCancel] = 3,
        [CustomerBehaviour.PaysTwice] = 3,
        [CustomerBehaviour.TerminatedAfterPaid] = 2,
        [CustomerBehaviour.PaysAfterUnclosedCancel] = 2,
        [CustomerBehaviour.PaysWrongAmount] = 5,
        [CustomerBehaviour.PaysBeforeRegistration] = 9,
        [CustomerBehaviour.PaysLongBeforeRegistration] = 3,
        [CustomerBehaviour.RefundedAfterSale] = 4,
        [CustomerBehaviour.RefundedInDashboard] = 2,
        [CustomerBehaviour.RefundFailsAfterSale] = 2,
        [CustomerBehaviour.TerminatedBeforePayment] = 2,
        [CustomerBehaviour.DisputedAndLost] = 1,
        [CustomerBehaviour.DisputedAndWon] = 1,
    };
}
