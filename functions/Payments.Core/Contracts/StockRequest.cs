namespace Payments.Contracts;

public sealed record StockRequest(string OrderId, IReadOnlyList<OrderLine> Lines);
