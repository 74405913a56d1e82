namespace Payments.Saga;

public sealed record StockRequest(string OrderId, IReadOnlyList<OrderLine> Lines);
