namespace Payments.Storage;

/// <summary>Logical table names; each is prefixed by <see cref="StorageOptions.NamePrefix"/>.</summary>
public static class TableNames
{
    public const string Inbox = "Inbox";
    public const string Stock = "Stock";
    public const string Points = "Points";
    public const string Orders = "Orders";
    /// <summary>Index of orders awaiting payment by registration time: what the reconciler's active query reads.</summary>
    public const string OrdersAwaitingPayment = "OrdersAwaitingPayment";
    /// <summary>Callbacks waiting on the retry lane for their order, by order id: what a registration reads to apply them at once.</summary>
    public const string LaneWaiting = "LaneWaiting";
    /// <summary>Index of captured orders by the hour their payment was recorded: what the statement run range-reads per chunk.</summary>
    public const string OrdersByCapture = "OrdersByCapture";
    /// <summary>The money ledger: every capture and refund of an order, by order id (<c>Ledger/MoneyLedger</c>).</summary>
    public const string Money = "Money";
    /// <summary>Refunds not final yet, with when the refund tracker asks next: what the tracker reads.</summary>
    public const string MoneyOpen = "MoneyOpen";
    /// <summary>Which order a payment id belongs to, by provider: how a refund notice that names no order finds it.</summary>
    public const string MoneyRefs = "MoneyRefs";
    /// <summary>Captures not settled yet and customers whose points moved since the money monitor last looked: what the monitor reads.</summary>
    public const string MoneyWatch = "MoneyWatch";
    /// <summary>What breaks a money rule now, as the money monitor's last run left it: what the console's money panel reads.</summary>
    public const string MoneyFindings = "MoneyFindings";
    /// <summary>Sagas and refund orchestrations not yet seen ended and settled, by kind and start time: what the crashed-saga and failed-refund sweeps read.</summary>
    public const string OpenOrchestrations = "OpenOrchestrations";
    public const string Parked = "Parked";
    public const string DeadLetters = "DeadLetters";
    public const string Reconciliation = "Reconciliation";
    /// <summary>Every operator action, who took it and why; rows are only ever added.</summary>
    public const string OperatorAudit = "OperatorAudit";
    /// <summary>The console timeline's lines of Durable instances that retention purged, by instance id.</summary>
    public const string TimelineArchive = "TimelineArchive";
}
