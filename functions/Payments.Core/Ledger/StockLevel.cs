namespace Payments.Ledger;

/// <summary>A sku's counts; Available + Reserved + Committed only changes when stock is added.</summary>
public sealed record StockLevel(string Sku, long Available, long Reserved, long Committed);
