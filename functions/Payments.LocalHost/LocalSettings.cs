using System.Text.Json;

namespace Payments.LocalHost;

/// <summary>
/// Reads <c>local.settings.json</c> the way <c>func start</c> does: its <c>Values</c> become app
/// settings, with <c>__</c> meaning a section separator. Environment variables and command-line
/// arguments override it.
/// </summary>
public static class LocalSettings
{
    public static IConfigurationRoot Build(string[] args, string? settingsPath = null, IDictionary<string, string?>? overrides = null)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(ReadValues(settingsPath ?? FindSettingsFile()));
        builder.AddEnvironmentVariables();
        builder.AddCommandLine(args);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }
        return builder.Build();
    }

    public static IEnumerable<KeyValuePair<string, string?>> ReadValues(string? path)
    {
        if (path is null || !File.Exists(path))
        {
            yield break;
        }
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (!document.RootElement.TryGetProperty("Values", out var values))
        {
            yield break;
        }
        foreach (var value in values.EnumerateObject())
        {
            yield return new(value.Name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), value.Value.ToString());
        }
    }

    private static string? FindSettingsFile()
    {
        foreach (var directory in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var path = Path.Combine(directory, "local.settings.json");
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }
}
