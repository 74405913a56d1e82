namespace Payments.Storage;

/// <summary>
/// The transport no longer holds this delivery for us (Service Bus <c>MessageLockLost</c>, a Storage
/// Queue pop receipt that no longer matches): the message is or will be handed out again, so this is
/// not a failure of the work done on it, and the drain goes on with the next message.
/// </summary>
public sealed class LaneLockLostException(string messageId, Exception inner)
    : Exception($"The lock on lane message {messageId} was lost; the transport delivers it again.", inner)
{
    public string MessageId => messageId;
}
