namespace GatewaySimulator;

/// <summary>What a store operation decided, kept free of HTTP so the control endpoints and the in-process API share it.</summary>
internal readonly record struct StoreResult<T>(StoreOutcome Outcome, T? Value = default, string? Error = null)
    where T : class;
