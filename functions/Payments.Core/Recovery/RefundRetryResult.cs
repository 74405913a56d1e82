using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Payments.Saga;

namespace Payments.Recovery;

public enum RefundRetryResult { Started, NotParked }
