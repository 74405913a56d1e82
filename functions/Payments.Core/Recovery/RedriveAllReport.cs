namespace Payments.Recovery;

/// <summary>
/// What one "re-drive all" call did: the letters it tried (each counts toward the cap), the ones it
/// skipped and why (these do not count), where to continue, and how many letters only a discard can end.
/// </summary>
/// <param name="Continuation">Pass back as <c>after</c> to go on past the cap; null when every parked letter was walked.</param>
/// <param name="HeldForDiscard">Parked letters known to carry no stored callback: never walked again, listed until discarded.</param>
public sealed record RedriveAllReport(
    IReadOnlyDictionary<string, RedriveResult> Tried,
    IReadOnlyList<SkippedLetter> Skipped,
    string? Continuation,
    int HeldForDiscard);
