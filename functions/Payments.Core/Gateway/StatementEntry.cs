namespace Payments.Gateway;

/// <summary>
/// One row of a statement as read: the parsed line, or why it could not be parsed. A malformed row
/// is isolated (reported by its number and reason, never its payload) instead of failing the run.
/// </summary>
public sealed record StatementEntry(long LineNumber, StatementLine? Line, string? Problem)
{
    public static StatementEntry Parsed(long lineNumber, StatementLine line) => new(lineNumber, line, null);

    public static StatementEntry Malformed(long lineNumber, string problem) => new(lineNumber, null, problem);
}
