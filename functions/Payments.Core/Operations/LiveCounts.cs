namespace Payments.Operations;

/// <summary>The pipeline's live counts for the console: orders by state, and the work waiting for an operator.</summary>
public sealed record LiveCounts(DateTimeOffset At, IReadOnlyDictionary<string, int> OrdersByStatus, int Orders, int DeadLettersParked, int ParkedItemsOpen);
