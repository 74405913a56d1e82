using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Intake;
using Payments.Saga;

namespace Payments.Recovery;

/// <summary>What one relay pass did.</summary>
public sealed record RelayReport(int Relayed, int Queued, int Failed);
