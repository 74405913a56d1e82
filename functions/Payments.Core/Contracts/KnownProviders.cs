namespace Payments.Contracts;

/// <summary>
/// The payment providers this deployment is configured for, by name. Orders must name one of them;
/// whether a provider can serve right now (its secrets resolved) is intake's business, not the order's.
/// </summary>
public sealed record KnownProviders(IReadOnlyCollection<string> Names);
