using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>
/// Runs the repository's pinned Bicep CLI through tools/bicep.sh (which restores it from NuGet when
/// needed). Any warning counts as a failure, as in tools/verify-infra.sh.
/// </summary>
public static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Compiles a .bicep file to its ARM JSON template.</summary>
    public static JsonObject Build(string relativePath) =>
        JsonNode.Parse(Run("build", relativePath, "--stdout"))!.AsObject();

    /// <summary>Compiles a .bicepparam file to its ARM parameters JSON.</summary>
    public static JsonObject BuildParams(string relativePath)
    {
        var wrapper = JsonNode.Parse(Run("build-params", relativePath, "--stdout"))!;
        return JsonNode.Parse((string)wrapper["parametersJson"]!)!.AsObject();
    }

    private static string Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("tools", "bicep.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} took longer than {Timeout}.");
        }
        var output = stdout.GetAwaiter().GetResult();
        var errors = stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0 || errors.Contains(" : Warning ", StringComparison.Ordinal) || errors.Contains(" : Error ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"bicep {string.Join(' ', args)} exited {process.ExitCode}:\n{errors}");
        }
        return output;
    }
}
