namespace Payments.Contracts;

public sealed record OrderLine(string Sku, int Quantity);
