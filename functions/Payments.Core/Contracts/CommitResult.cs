namespace Payments.Contracts;

/// <summary>Whether an order's stock commit took effect, or failed for good (the saga then refunds).</summary>
public enum CommitResult { Committed, Failed }
