using System.ComponentModel.DataAnnotations;

namespace Payments.Storage;

/// <summary>The retry lane: which transport carries it and how often a callback is retried, bound from <c>Lane</c>.</summary>
public sealed class LaneOptions
{
    public const string Section = "Lane";

    public LaneTransport Transport { get; set; } = LaneTransport.StorageQueue;

    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{1,50}[a-z0-9]$")]
    public string QueueName { get; set; } = "retry-lane";

    /// <summary>
    /// Attempts before a callback is dead-lettered. With the capped back-off this is the lane's
    /// patience with an order service that is down: 40 attempts at most a minute apart outlast a
    /// 30-minute outage, so its callbacks wait on the lane instead of in the dead-letter queue.
    /// </summary>
    [Range(1, 500)]
    public int MaxAttempts { get; set; } = 40;

    /// <summary>First back-off; doubles with each attempt.</summary>
    [Range(1, 3600)]
    public int BackoffSeconds { get; set; } = 10;

    /// <summary>
    /// The back-off's cap. An order usually appears within seconds to minutes of its callback, and its
    /// registration applies waiting callbacks at once; the cap bounds how late a callback is applied
    /// when that nudge is missed, so it stays short (at most 5 minutes).
    /// </summary>
    [Range(1, 300)]
    public int MaxBackoffSeconds { get; set; } = 60;

    /// <summary>Messages one receiver takes per receive call (Storage Queues hand out at most 32).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;

    /// <summary>
    /// How long one drain keeps receiving while messages are due. Below the host's function timeout
    /// (host.json, 5 min) with room for the batches in hand to settle.
    /// </summary>
    [Range(1, 240)]
    public int DrainSeconds { get; set; } = 120;

    /// <summary>Receivers one drain runs side by side, each settling its own batches; bounds the drain's load on storage and Durable.</summary>
    [Range(1, 64)]
    public int DrainConcurrency { get; set; } = 8;

    /// <summary>
    /// Scale-out: the number of drain workers (Durable activities, spread over the app's instances)
    /// the timer drain starts when it ran out of time with messages still due; 0 turns scale-out off.
    /// </summary>
    [Range(0, 64)]
    public int ScaleOutWorkers { get; set; } = 4;

    public TimeSpan DrainBudget => TimeSpan.FromSeconds(DrainSeconds);

    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, BackoffSeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}
