namespace Payments.Operations;

/// <summary>
/// Which waiting work an operator means: explicit <see cref="Ids"/>, or everything matching the
/// given kind, reason, provider and minimum age (each optional, all must hold).
/// </summary>
public sealed record WorkFilter(string? Kind = null, string? Reason = null, string? Provider = null, double? OlderThanMinutes = null, IReadOnlyList<string>? Ids = null)
{
    public bool Matches(WorkItem item, DateTimeOffset now) =>
        (Ids is not { Count: > 0 } || Ids.Contains(item.Id, StringComparer.Ordinal))
        && (string.IsNullOrEmpty(Kind) || item.Kind == Kind)
        && (string.IsNullOrEmpty(Reason) || item.Reason == Reason)
        && (string.IsNullOrEmpty(Provider) || item.Provider == Provider)
        && (OlderThanMinutes is not { } minutes || now - item.Since >= TimeSpan.FromMinutes(minutes));
}
