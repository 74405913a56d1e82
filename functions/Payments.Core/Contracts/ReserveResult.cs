namespace Payments.Contracts;

/// <summary>What reserving an order's stock did; the saga branches on it.</summary>
public enum ReserveResult
{
    Reserved,
    OutOfStock,
    /// <summary>The stock ledger could not be reached within the step's retries; never returned by the activity itself.</summary>
    Unavailable,
}
