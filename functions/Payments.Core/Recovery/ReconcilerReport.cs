using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Intake;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Recovery;

public sealed record ReconcilerReport(RelayReport Relay, int Queried, int Recovered, int SagasStarted = 0);
