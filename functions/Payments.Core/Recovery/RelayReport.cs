namespace Payments.Recovery;

/// <summary>What one relay pass did.</summary>
public sealed record RelayReport(int Relayed, int Queued, int Failed);
