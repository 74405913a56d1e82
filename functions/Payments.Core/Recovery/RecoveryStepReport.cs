namespace Payments.Recovery;

/// <summary>What one recovery step did in one run, and what it left for its next run.</summary>
/// <param name="Step">The step: <see cref="RecoverySteps"/>.</param>
/// <param name="Examined">Index rows (or due items) the step looked at.</param>
/// <param name="Acted">Of those, the ones it changed something for (relayed, queried, settled, parked, restarted, asked).</param>
/// <param name="Left">Due rows it did not get to because its budget ran out; they come first in its next run.</param>
public sealed record RecoveryStepReport(string Step, int Examined, int Acted, int Left, double Seconds)
{
    public bool BudgetSpent => Left > 0;
}
