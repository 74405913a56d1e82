namespace Payments.Recovery;

/// <summary>What one relay pass did; <paramref name="RaisedSettled"/> counts raised successes confirmed against their ended saga.</summary>
public sealed record RelayReport(int Relayed, int Queued, int Failed, int RaisedSettled = 0);
