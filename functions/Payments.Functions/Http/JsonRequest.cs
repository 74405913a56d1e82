using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Payments.Functions.Http;

/// <summary>Reads a JSON request body, telling malformed JSON (a 400 for the caller) from a valid one.</summary>
public static class JsonRequest
{
    public static async Task<(bool Ok, T? Value)> TryReadAsync<T>(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return (true, await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSerializerOptions.Web, ct));
        }
        catch (JsonException)
        {
            return (false, default);
        }
    }
}
