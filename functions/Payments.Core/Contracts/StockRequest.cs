namespace Payments.Contracts;

/// <summary>
/// The stock step's input: an order and its lines. <see cref="OrderRowETag"/>: for saga 3.0's
/// <c>HoldStock</c> only, the order row's ETag as its registration wrote it, so the step's read-model
/// record need not read the row first (null: read it).
/// </summary>
public sealed record StockRequest(string OrderId, IReadOnlyList<OrderLine> Lines, string? OrderRowETag = null);
