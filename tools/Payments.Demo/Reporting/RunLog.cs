using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Payments.Demo.Reporting;

/// <summary>
/// The pipeline's logs during a demo: written to a file (the console belongs to the progress lines
/// and the report) and tallied by message template, so the report can count what a recovery path
/// logs but does not meter (outbox relays, dead letters re-driven by the drain).
/// </summary>
public sealed class RunLog : ILoggerProvider
{
    private readonly StreamWriter file;
    private readonly Lock gate = new();
    private readonly ConcurrentDictionary<string, long> events = new();
    private readonly ConcurrentDictionary<(string Template, string Field), long> sums = new();
    private readonly ConcurrentDictionary<(string Template, string Field, string Value), byte> values = new();

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

    /// <summary>How often a message template was logged.</summary>
    public long Count(string template) => events.GetValueOrDefault(template);

    /// <summary>The sum of one numeric placeholder over every time the template was logged.</summary>
    public long Sum(string template, string field) => sums.GetValueOrDefault((template, field));

    /// <summary>How many different values one placeholder took over every time the template was logged.</summary>
    public int Distinct(string template, string field) => values.Keys.Count(k => k.Template == template && k.Field == field);

    public ILogger CreateLogger(string categoryName) => new Writer(this, categoryName);

    public void Dispose()
    {
        Factory.Dispose();
        lock (gate)
        {
            file.Dispose();
        }
    }

    private void Write(string category, LogLevel level, string message, Exception? exception, IReadOnlyList<KeyValuePair<string, object?>>? state)
    {
        if (state?.FirstOrDefault(kv => kv.Key == "{OriginalFormat}").Value is string template)
        {
            events.AddOrUpdate(template, 1, (_, n) => n + 1);
            foreach (var (field, value) in state)
            {
                if (value is int or long)
                {
                    sums.AddOrUpdate((template, field), Convert.ToInt64(value), (_, n) => n + Convert.ToInt64(value));
                }
                else if (value is string text && field != "{OriginalFormat}")
                {
                    values.TryAdd((template, field, text), 0);
                }
            }
        }
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
            log.Write(category, logLevel, formatter(state, exception), exception, state as IReadOnlyList<KeyValuePair<string, object?>>);
    }
}
