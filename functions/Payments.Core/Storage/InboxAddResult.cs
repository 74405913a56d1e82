namespace Payments.Storage;

/// <summary>Whether a callback was stored now or had been stored before.</summary>
public enum InboxAddResult
{
    Added,
    Duplicate,
}
