namespace Payments.Saga;

public enum CommitResult { Committed, Failed }
