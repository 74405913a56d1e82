using System.Text.Json;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Hosting;
using Payments.Intake;
using Payments.Saga;

namespace Payments.Recovery;

/// <summary>What one drain of the retry lane did.</summary>
public sealed record LaneDrainReport(int Applied, int Retried, int DeadLettered);
