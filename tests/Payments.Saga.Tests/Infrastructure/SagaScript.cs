using Payments.Contracts;
using Payments.Gateway;

namespace Payments.Saga.Tests.Infrastructure;

/// <summary>One activity call as the engine delivered it: which attempt, whether it threw, and the step the saga showed then.</summary>
public sealed record ActivityCall(string Activity, object Input, int Attempt, bool Failed, string? Step, DateTime StartedAt);

/// <summary>The exception a scripted activity throws; the saga sees it as a failed task, as it would see a ledger or gateway outage.</summary>
public sealed class ScriptedFailure(string message) : Exception(message);

/// <summary>
/// One order's activities as a test scripts them (what each returns, how many of its first attempts
/// throw), and the record of every call the saga made, in order. By default every step succeeds:
/// stock reserves and commits, the gateway says pending and closes, refunds go through.
/// </summary>
public sealed class SagaScript
{
    private readonly Dictionary<string, Behaviour> behaviours = [];
    private readonly List<ActivityCall> calls = [];
    private readonly List<string> scheduled = [];
    private readonly Lock sync = new();

    public SagaScript(OrderRequest order)
    {
        Order = order;
        Returns(ReserveStock, ReserveResult.Reserved);
        Returns(CommitStock, CommitResult.Committed);
        Returns(QueryPayment, new GatewayPayment(GatewayPaymentState.Pending, 0, order.Currency));
        Returns(ClosePayment, new CloseResult(Closed: true, 0, order.Currency));
        Returns(Refund, new RefundResult($"re_{order.PaymentId}"));
    }

    public OrderRequest Order { get; }

    public SagaScript Returns(string activity, object result)
    {
        lock (sync)
        {
            BehaviourOf(activity).Result = result;
        }
        return this;
    }

    public SagaScript FailsFirst(string activity, int attempts)
    {
        lock (sync)
        {
            BehaviourOf(activity).FailingAttempts = attempts;
        }
        return this;
    }

    public SagaScript AlwaysFails(string activity) => FailsFirst(activity, int.MaxValue);

    public IReadOnlyList<ActivityCall> Calls
    {
        get
        {
            lock (sync)
            {
                return [.. calls];
            }
        }
    }

    /// <summary>
    /// The saga's steps in the order it took them: read-model records and parking left out, and a
    /// retry (a call after a failed call of the same activity) counted with the call it retries.
    /// </summary>
    public IReadOnlyList<string> Flow
    {
        get
        {
            var flow = new List<string>();
            var lastFailed = new HashSet<string>();
            foreach (var call in Calls.Where(c => c.Activity is not (RecordOrderState or Park)))
            {
                if (!lastFailed.Contains(call.Activity))
                {
                    flow.Add(call.Activity);
                }
                if (call.Failed)
                {
                    lastFailed.Add(call.Activity);
                }
                else
                {
                    lastFailed.Remove(call.Activity);
                }
            }
            return flow;
        }
    }

    public int Attempts(string activity) => Calls.Count(c => c.Activity == activity);

    /// <summary>
    /// Every activity the engine ran for this order, under the name the saga scheduled it by (a folded
    /// 3.0 activity once, not the steps it is made of), retries included: what costs episodes.
    /// </summary>
    public IReadOnlyList<string> Scheduled
    {
        get
        {
            lock (sync)
            {
                return [.. scheduled];
            }
        }
    }

    internal void NoteScheduled(string activity)
    {
        lock (sync)
        {
            scheduled.Add(activity);
        }
    }

    /// <summary>The distinct inputs an activity was called with, in order (retries repeat the same input).</summary>
    public IReadOnlyList<T> Requests<T>(string activity) => [.. Calls.Where(c => c.Activity == activity).Select(c => (T)c.Input).Distinct()];

    public IReadOnlyList<RefundRequest> Refunds => Requests<RefundRequest>(Refund);

    public IReadOnlyList<ParkRequest> Parked => Requests<ParkRequest>(Park);

    /// <summary>The read-model changes the saga recorded, in order.</summary>
    public IReadOnlyList<OrderStateChange> Recorded => Requests<OrderStateChange>(RecordOrderState);

    /// <summary>The step the saga showed when it called the activity (the first call if there were several).</summary>
    public string? StepAt(string activity) => Calls.First(c => c.Activity == activity).Step;

    internal object? Run(string activity, object input, string? step)
    {
        lock (sync)
        {
            var behaviour = BehaviourOf(activity);
            var attempt = ++behaviour.Calls;
            var fails = attempt <= behaviour.FailingAttempts;
            calls.Add(new ActivityCall(activity, input, attempt, fails, step, DateTime.UtcNow));
            return fails ? throw new ScriptedFailure($"{activity} failed as scripted (call {attempt}).") : behaviour.Result;
        }
    }

    public override string ToString() =>
        string.Join(Environment.NewLine, Calls.Select(c => $"  {c.Activity} #{c.Attempt}{(c.Failed ? " threw" : "")} at step {c.Step ?? "-"}: {c.Input}"));

    private Behaviour BehaviourOf(string activity)
    {
        if (!behaviours.TryGetValue(activity, out var behaviour))
        {
            behaviour = new Behaviour();
            behaviours[activity] = behaviour;
        }
        return behaviour;
    }

    private sealed class Behaviour
    {
        public object? Result { get; set; }
        public int FailingAttempts { get; set; }
        public int Calls { get; set; }
    }
}
