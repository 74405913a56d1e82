namespace GatewaySimulator;

/// <summary>Error body every endpoint answers with.</summary>
internal sealed record ApiError(string Error);
