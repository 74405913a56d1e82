namespace Payments.Contracts;

/// <summary>One line of an order: a sku and how many.</summary>
public sealed record OrderLine(string Sku, int Quantity);
