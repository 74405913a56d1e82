using Microsoft.Extensions.Logging;

namespace Payments.Demo.Reporting;

/// <summary>
/// The pipeline's logs during a demo, written to a file (the console belongs to the progress lines
/// and the report). The report counts nothing here: its counts come from the pipeline's meter
/// (<see cref="RecoveryMeter"/>), never from log text.
/// </summary>
public sealed class RunLog : ILoggerProvider
{
    private readonly StreamWriter file;
    private readonly Lock gate = new();

    public RunLog(string path)
    {
        Path = path;
        file = new StreamWriter(path, append: false) { AutoFlush = false };
        Factory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Warning)
            .AddFilter("System", LogLevel.Warning)
            .AddProvider(this));
    }

    public string Path { get; }

    /// <summary>A logger factory that writes here; the demo hands it to the local host.</summary>
    public ILoggerFactory Factory { get; }

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose()
    {
        Factory.Dispose();
        lock (gate)
        {
            file.Dispose();
        }
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        lock (gate)
        {
            file.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level,-11} {category}: {message}");
            if (exception is not null)
            {
                file.WriteLine("    " + exception.GetType().Name + ": " + exception.Message);
            }
        }
    }

    public void Flush()
    {
        lock (gate)
        {
            file.Flush();
        }
    }

    private sealed class Writer(RunLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Write(category, logLevel, formatter(state, exception), exception);
    }
}
