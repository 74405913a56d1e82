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
    /// a value a Table key can hold (<see cref="OrderRequest.IsKeyable"/>): the reconciler reads and parks
    /// by them. A gateway's id that merely is no id of this pipeline's orders stays, to be reported as found.
    /// </summary>
    public StatementEntry WithIdsChecked() => Line switch
    {
        { PaymentId: var paymentId } when !OrderRequest.IsKeyable(paymentId) => Malformed(LineNumber, $"the payment id is {KeyRule}"),
        { OrderId: { Length: > 0 } orderId } when !OrderRequest.IsKeyable(orderId) => Malformed(LineNumber, $"the order id is {KeyRule}"),
        _ => this,
    };

    private const string KeyRule = "empty, over 512 characters, or holds '/', '\\', '#', '?' or a control character";
}
