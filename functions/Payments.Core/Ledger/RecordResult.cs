namespace Payments.Ledger;

/// <summary>What writing a saga step into the orders read model did.</summary>
public enum RecordResult
{
    Recorded,
    /// <summary>The row already shows a later step (a stale or late copy of an earlier step); left as it is.</summary>
    Stale,
}
