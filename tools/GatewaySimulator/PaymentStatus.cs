namespace GatewaySimulator;

/// <summary>The wire names of payment states, shared by the API, the store and the tests.</summary>
public static class PaymentStatus
{
    public const string Pending = "pending";
    public const string Paid = "paid";
    public const string Failed = "failed";
    public const string Closed = "closed";
}
