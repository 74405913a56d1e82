namespace Payments.Recovery;

/// <summary>What one relay pass did; <paramref name="Examined"/> counts the due inbox rows it read.</summary>
public sealed record RelayReport(int Relayed, int Queued, int Failed, int Examined = 0);
