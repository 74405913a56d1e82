namespace Payments.Demo.Driving;

/// <summary>The stock a plan needs: every sku's starting level, the scarce one and the one whose commit always fails.</summary>
public sealed record StockPlan(IReadOnlyDictionary<string, long> Levels, string ScarceSku, string BrokenSku);
