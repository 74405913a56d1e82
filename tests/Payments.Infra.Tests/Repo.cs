namespace Payments.Infra.Tests;

/// <summary>Finds the repository root from the test's output folder, so no test names a machine path.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))
                && File.Exists(Path.Combine(dir.FullName, "infra", "main.bicep")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No repository root (Directory.Packages.props + infra/main.bicep) above {AppContext.BaseDirectory}.");
    }
}
