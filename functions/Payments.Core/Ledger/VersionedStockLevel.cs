using Azure;

namespace Payments.Ledger;

/// <summary>A sku's level with the ETag of the row it was read from, for an operator's conditional change.</summary>
public sealed record VersionedStockLevel(StockLevel Level, ETag ETag);
