namespace Payments.Tests.Infrastructure;

/// <summary>
/// Drains an async sequence. (System.Linq.Async, pulled in transitively, clashes with .NET 10's own
/// ToListAsync, so tests use this one name.)
/// </summary>
public static class Collect
{
    public static async Task<List<T>> AllAsync<T>(IAsyncEnumerable<T> source)
    {
        var items = new List<T>();
        await foreach (var item in source)
        {
            items.Add(item);
        }
        return items;
    }

    /// <summary>The parsed lines of a statement, malformed rows left out.</summary>
    public static async Task<List<Payments.Gateway.StatementLine>> LinesAsync(IAsyncEnumerable<Payments.Gateway.StatementEntry> statement) =>
        [.. (await AllAsync(statement)).Select(e => e.Line).OfType<Payments.Gateway.StatementLine>()];
}
