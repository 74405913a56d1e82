using Payments.Hosting;
using Payments.Storage;

namespace Payments.Tests.Infrastructure;

/// <summary>The pipeline's tables on the shared Azurite under a fresh prefix, for tests of one ledger without a host.</summary>
public static class LedgerStorage
{
    public static async Task<PaymentsStorage> CreateAsync(string name)
    {
        var azurite = await Azurite.SharedAsync();
        return PaymentsServices.CreateStorage(new StorageOptions
        {
            ConnectionString = azurite.ConnectionString,
            NamePrefix = "t" + name + Guid.NewGuid().ToString("N")[..6],
        });
    }
}
