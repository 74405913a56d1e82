namespace Payments.Contracts;

/// <summary>
/// Who performed an operator action, as stored with it in the audit. In Azure it comes from App
/// Service authentication (Entra ID): the signed-in name and object id. Locally, where no sign-in
/// exists, it is whatever the request claims, marked unverified.
/// </summary>
public sealed record OperatorCaller(string Name, string? ObjectId, bool Verified)
{
    /// <summary>The form kept in audit rows: <c>name (oid …)</c>, with <c>unverified</c> when no sign-in vouched for it.</summary>
    public string AuditName => (ObjectId is null ? Name : $"{Name} (oid {ObjectId})") + (Verified ? "" : " [unverified]");
}
