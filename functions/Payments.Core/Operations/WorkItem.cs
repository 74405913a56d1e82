namespace Payments.Operations;

/// <summary>
/// One piece of work waiting for an operator: a parked dead letter (<see cref="OperatorWork.DeadLetter"/>,
/// <see cref="Id"/> its letter id) or a parked item (its kind; <see cref="Id"/> <c>kind/key</c>, the key its order id or, for a crashed refund, the refund's instance id),
/// with the actions that apply to it.
/// </summary>
public sealed record WorkItem(string Id, string Kind, string Reason, string? OrderId, string? Provider, string Detail, DateTimeOffset Since, IReadOnlyList<string> Actions);
