namespace Payments.Demo.Driving;

/// <summary>One action, due <see cref="At"/> after the run started.</summary>
public sealed record CustomerStep(TimeSpan At, StepKind Kind);
