namespace Payments.Operations;

/// <summary>
/// One piece of work waiting for an operator: a parked dead letter (<see cref="OperatorWork.DeadLetter"/>,
/// <see cref="Key"/> its letter id) or a parked item (its kind; <see cref="Key"/> its order id or, for a
/// crashed refund, the refund's instance id), with the actions that apply to it.
/// </summary>
public sealed record WorkItem(string Kind, string Key, string Reason, string? OrderId, string? Provider, string Detail, DateTimeOffset Since, IReadOnlyList<string> Actions)
{
    /// <summary>What the console and the API name the item by: a dead letter's id, or <c>kind/key</c> for a parked item.</summary>
    public string Id => Kind == OperatorWork.DeadLetter ? Key : $"{Kind}/{Key}";
}
