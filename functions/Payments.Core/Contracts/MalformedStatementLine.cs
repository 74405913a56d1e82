namespace Payments.Contracts;

/// <summary>A statement row that could not be parsed: where it is and why, never its content (it may carry customer data).</summary>
public sealed record MalformedStatementLine(DateOnly Date, long LineNumber, string Reason);
