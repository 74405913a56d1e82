namespace Payments.Storage;

public enum InboxAddResult
{
    Added,
    Duplicate,
}
