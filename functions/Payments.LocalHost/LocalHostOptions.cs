using System.ComponentModel.DataAnnotations;

namespace Payments.LocalHost;

/// <summary>How the local host listens and how its Durable backend polls, bound from <c>LocalHost</c>.</summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>HTTP port for the functions, 7071 like <c>func start</c>; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 7071;

    /// <summary>Port of the in-process Durable gRPC sidecar; 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int DurableGrpcPort { get; set; }

    /// <summary>The Azure Storage provider backs off to 30 s between empty polls by default; locally that looks hung.</summary>
    /// <summary>
    /// Prints the pipeline's spans, metrics and logs as OpenTelemetry sees them to the console (what an
    /// exporter would send). Off by default; <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> sends them to a collector instead.
    /// </summary>
    public bool ConsoleTelemetry { get; set; }

    [Range(50, 30_000)]
    public int MaxQueuePollingMs { get; set; } = 1000;

    [Range(1, 16)]
    public int PartitionCount { get; set; } = 4;

    /// <summary>
    /// How long a killed worker's partition leases block a restarted one. Short locally so a restart
    /// resumes quickly; Azure's default is 30 s.
    /// </summary>
    [Range(5, 120)]
    public int LeaseSeconds { get; set; } = 10;

    /// <summary>
    /// How long a message a worker took stays invisible. A killed worker's messages come back only
    /// after this; the provider's 5-minute default would stall sagas that long after a crash.
    /// Work items here take seconds.
    /// </summary>
    [Range(10, 600)]
    public int QueueVisibilitySeconds { get; set; } = 30;

    [Range(1, 200)]
    public int MaxConcurrentActivities { get; set; } = 20;

    [Range(1, 200)]
    public int MaxConcurrentOrchestrations { get; set; } = 20;

    /// <summary>
    /// How long stopping the host waits for each of its parts (the app, then the Durable provider's
    /// lease release). Past it the host stops anyway and logs it; a stop never ends the process.
    /// </summary>
    [Range(1, 600)]
    public int StopSeconds { get; set; } = 30;

    /// <summary>When false, timer functions are not scheduled (tests call them directly).</summary>
    public bool RunTimers { get; set; } = true;
}
