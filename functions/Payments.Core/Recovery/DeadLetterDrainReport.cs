using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Intake;
using Payments.Saga;

namespace Payments.Recovery;

public sealed record DeadLetterDrainReport(int Redriven, int Parked);
