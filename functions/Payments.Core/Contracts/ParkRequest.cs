namespace Payments.Contracts;

/// <summary>
/// Something the saga could not finish on its own and hands to an operator. One item per (kind,
/// <see cref="ItemKey"/>): the order id, unless the item is one of several of its kind an order can
/// have (a refund orchestration of one of its payments parks under its instance id, so two refunds of
/// one order never share a row). <paramref name="ReopenResolved"/> false: the same detail parked again
/// (a redelivered event, a sweep's next look at an old fact) leaves an item an operator resolved resolved.
/// </summary>
public sealed record ParkRequest(string OrderId, string Kind, string Reason, string Detail, RefundRequest? Refund = null, string? Key = null, bool ReopenResolved = true)
{
    public string ItemKey => Key ?? OrderId;
}
