namespace Payments.Intake;

/// <summary>
/// What the current secrets make of a captured callback: <c>valid</c> (it would be accepted now),
/// <c>expired</c> (the signature holds, but its timestamp is outside the tolerance now; it held when
/// received), <c>invalid</c> (no current secret signs these bytes: rotated away, or the bytes were
/// changed), <c>unknown_provider</c>.
/// </summary>
public sealed record FixtureVerdict(string Provider, string EventId, string Verdict, string RecordedVerdict)
{
    public const string Valid = "valid";
    public const string Expired = "expired";
    public const string Invalid = "invalid";
    public const string UnknownProvider = "unknown_provider";
}
