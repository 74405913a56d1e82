namespace Payments.Tests.Infrastructure;

/// <summary>Locates the repository from the test's build output, so tests run from any working directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = RepoRoot.Find();

    /// <summary>Debug or Release: whatever this test assembly was built as, so sibling outputs match.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string InRoot(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string BuildOutput(string project) =>
        InRoot("functions", project, "bin", Configuration, "net10.0");
}
