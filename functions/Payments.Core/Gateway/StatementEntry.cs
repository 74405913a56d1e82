using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>
/// One row of a statement as read: the parsed line, or why it could not be parsed. A malformed row
/// is isolated (reported by its number and reason, never its payload) instead of failing the run.
/// </summary>
public sealed record StatementEntry(long LineNumber, StatementLine? Line, string? Problem)
{
    /// <summary>
    /// The line, unless its payment id, or its order id when it names one, is not an id the ledger
    /// could hold (<see cref="OrderRequest.IsId"/>, the order API's own rule): both become Table keys,
    /// which refuse '/', '\', '#', '?' and control characters, so such a line is malformed, named by the
    /// field, never fatal. A statement's free-text columns (Alipay's 备注, WeChat Pay's attach) can hold anything.
    /// </summary>
    public static StatementEntry Parsed(long lineNumber, StatementLine line, string paymentIdField = "payment id", string orderIdField = "order id") =>
        !OrderRequest.IsId(line.PaymentId) ? Malformed(lineNumber, $"{paymentIdField} is not a valid payment id")
        : line.OrderId.Length > 0 && !OrderRequest.IsId(line.OrderId) ? Malformed(lineNumber, $"{orderIdField} is not a valid order id")
        : new(lineNumber, line, null);

    public static StatementEntry Malformed(long lineNumber, string problem) => new(lineNumber, null, problem);

    /// <summary>
    /// This entry checked again by <see cref="Parsed"/>'s rule, whoever built it: what every line passes
    /// on its way from a connector to the reconciler (<see cref="GatewayConnectors"/>).
    /// </summary>
    public StatementEntry WithIdsChecked() => Line is { } line ? Parsed(LineNumber, line) : this;
}
