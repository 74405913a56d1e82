namespace Payments.Operations;

/// <summary>An order the console's search found, and by which key (order id, payment id, gateway event id or customer).</summary>
public sealed record SearchHit(string OrderId, string PaymentId, string CustomerId, string Provider, string Status, string MatchedBy);
