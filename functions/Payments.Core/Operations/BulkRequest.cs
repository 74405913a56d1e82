namespace Payments.Operations;

/// <summary>
/// An operator's action on one, selected, or every waiting item matching <see cref="Filter"/>:
/// <see cref="OperatorWork.Redrive"/>, <see cref="OperatorWork.Discard"/> (a reason is required) or
/// <see cref="OperatorWork.RetryRefund"/>, at most <see cref="PerSecond"/> items a second, at most
/// <see cref="OperatorWork.MaxItemsPerRun"/> per run. A dry run lists what it would touch and changes nothing.
/// </summary>
public sealed record BulkRequest(string Action, WorkFilter Filter, string? Reason = null, double PerSecond = 5, bool DryRun = true)
{
    /// <summary>Ten years: older than any item the pipeline keeps.</summary>
    public const double MaxOlderThanMinutes = 10 * 366 * 24 * 60;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Action is not (OperatorWork.Redrive or OperatorWork.Discard or OperatorWork.RetryRefund))
        {
            errors.Add($"action: one of {OperatorWork.Redrive}, {OperatorWork.Discard}, {OperatorWork.RetryRefund}.");
        }
        if (Action == OperatorWork.Discard && string.IsNullOrWhiteSpace(Reason))
        {
            errors.Add("reason: required to discard.");
        }
        if (PerSecond is < 0.1 or > 50 || double.IsNaN(PerSecond))
        {
            errors.Add("perSecond: between 0.1 and 50.");
        }
        // A TimeSpan holds about 29,000 years: anything near it would overflow the filter's age arithmetic.
        if (Filter?.OlderThanMinutes is { } minutes && minutes is not (>= 0 and <= MaxOlderThanMinutes))
        {
            errors.Add($"filter.olderThanMinutes: between 0 and {MaxOlderThanMinutes} (ten years).");
        }
        return errors;
    }
}
