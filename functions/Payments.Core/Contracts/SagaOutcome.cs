namespace Payments.Contracts;

/// <summary>The saga's result, also its instance output.</summary>
public sealed record SagaOutcome(OrderStatus Status, string? Reason, bool PointsParked = false);
