using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>
/// One row of a statement as read: the parsed line, or why it could not be parsed. A malformed row
/// is isolated (reported by its number and reason, never its payload) instead of failing the run.
/// </summary>
public sealed record StatementEntry(long LineNumber, StatementLine? Line, string? Problem)
{
    public static StatementEntry Parsed(long lineNumber, StatementLine line) => new(lineNumber, line, null);

    public static StatementEntry Malformed(long lineNumber, string problem) => new(lineNumber, null, problem);

    /// <summary>
    /// This entry, or a malformed one when its payment id (or its order id, when it names one) is not
    /// an id the order API accepts (<see cref="OrderRequest.IsId"/>): such a value names no order of
    /// this pipeline and must not reach a Table key.
    /// </summary>
    public StatementEntry WithIdsChecked() => Line switch
    {
        { PaymentId: var paymentId } when !OrderRequest.IsId(paymentId) => Malformed(LineNumber, $"the payment id is not {IdRule}"),
        { OrderId: { Length: > 0 } orderId } when !OrderRequest.IsId(orderId) => Malformed(LineNumber, $"the order id is not {IdRule}"),
        _ => this,
    };

    private const string IdRule = "1-64 letters, digits, '_' or '-'";
}
