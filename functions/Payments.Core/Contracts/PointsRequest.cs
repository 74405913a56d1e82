namespace Payments.Contracts;

/// <summary>The loyalty points a completed order grants its customer, once per order.</summary>
public sealed record PointsRequest(string OrderId, string CustomerId, long Points)
{
    /// <summary>The grant a completed <paramref name="order"/> earns: whole major units of its amount times the rate.</summary>
    public static PointsRequest For(OrderRequest order, long pointsPerMajorUnit) =>
        new(order.OrderId, order.CustomerId, order.AmountMinor / CurrencyUnits.MinorPerMajor(order.Currency) * pointsPerMajorUnit);
}
