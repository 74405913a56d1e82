namespace Payments.Contracts;

/// <summary>The stock step's input: an order and its lines.</summary>
public sealed record StockRequest(string OrderId, IReadOnlyList<OrderLine> Lines);
