namespace Payments.Benchmarks.Reporting;

/// <summary>One number the bench measured, with the case it belongs to.</summary>
public sealed record Measurement(string Suite, string Case, string Metric, double Value, string Unit);
