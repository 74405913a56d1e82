using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Payments.Intake;
using Payments.Saga;

namespace Payments.Recovery;

public enum RedriveResult { Applied, AlreadyResolved, NotFound, StillUnknownOrder, NotRedrivable }
