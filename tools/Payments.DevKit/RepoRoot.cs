namespace Payments.DevKit;

/// <summary>Finds the repository (the folder holding Payments.sln) from the working directory or the build output.</summary>
public static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Payments.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("Payments.sln not found above the working directory or the build output; run from the repository.");
    }
}
