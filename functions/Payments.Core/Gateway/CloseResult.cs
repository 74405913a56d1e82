namespace Payments.Gateway;

/// <summary>Closing stops a pending payment; a payment that was paid first cannot be closed and says so.</summary>
public sealed record CloseResult(bool Closed, long PaidAmountMinor, string Currency)
{
    public bool AlreadyPaid => !Closed;
}
