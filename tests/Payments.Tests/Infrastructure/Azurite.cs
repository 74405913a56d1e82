namespace Payments.Tests.Infrastructure;

/// <summary>
/// One real Azurite per test run, in memory, on free ports; installed from the repository's npm
/// lockfile. Every test class isolates itself by table prefix and task hub, so classes run in parallel.
/// </summary>
public static class Azurite
{
    public const string AccountKey = AzuriteProcess.AccountKey;

    private static readonly Lazy<Task<AzuriteProcess>> SharedInstance = new(async () =>
    {
        var azurite = await AzuriteProcess.StartAsync(RepoPaths.Root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Kill();
        return azurite;
    });

    public static Task<AzuriteProcess> SharedAsync() => SharedInstance.Value;

    /// <summary>A storage connection string whose table and queue endpoints are a free port nothing listens on: storage that is down.</summary>
    public static string Unreachable()
    {
        var port = FreePort.Next();
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};"
            + $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }
}
