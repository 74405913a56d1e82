using System.ComponentModel.DataAnnotations;

namespace Payments.Storage;

/// <summary>The retry lane: which transport carries it and how often a callback is retried, bound from <c>Lane</c>.</summary>
public sealed class LaneOptions
{
    public const string Section = "Lane";

    public LaneTransport Transport { get; set; } = LaneTransport.StorageQueue;

    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{1,50}[a-z0-9]$")]
    public string QueueName { get; set; } = "retry-lane";

    /// <summary>Attempts before a callback is dead-lettered.</summary>
    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First back-off; doubles with each attempt.</summary>
    [Range(1, 3600)]
    public int BackoffSeconds { get; set; } = 10;

    [Range(1, 3600)]
    public int MaxBackoffSeconds { get; set; } = 900;

    /// <summary>Messages taken per drain run; bounds one timer invocation's work.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 32;

    public TimeSpan Backoff(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoffSeconds, BackoffSeconds * Math.Pow(2, Math.Max(0, attempt - 1))));
}
