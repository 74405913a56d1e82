namespace Payments.Contracts;

public enum CommitResult { Committed, Failed }
