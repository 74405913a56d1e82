using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Payments.Intake;

namespace Payments.Functions.Http;

/// <summary>
/// Reads a JSON request body, telling malformed JSON (a 400 for the caller) from a valid one, and a
/// body over the limit (413) from both. The limit holds for the bytes read, not the announced length:
/// a chunked body has none.
/// </summary>
public static class JsonRequest
{
    /// <summary>The most any JSON body of the order or operator API takes; an order is far smaller.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>For a body whose every field is required and whose unknown fields are refused (a typo must not read as a default).</summary>
    public static readonly JsonSerializerOptions Strict = new(JsonSerializerOptions.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The value, or the reply that refuses the body: 413 over the limit, 400 <paramref name="malformed"/> otherwise.</summary>
    public static async Task<(T? Value, HttpReply? Refusal)> ReadAsync<T>(HttpRequest request, string malformed, CancellationToken ct, JsonSerializerOptions? options = null)
    {
        if (await LimitedBody.ReadAsync(request.Body, request.ContentLength, MaxBodyBytes, ct) is not { } body)
        {
            return (default, TooLarge(MaxBodyBytes));
        }
        if (!Utf8.IsValid(body))
        {
            return (default, HttpReply.Problem(400, malformed, "The body is not valid UTF-8."));
        }
        try
        {
            return (JsonSerializer.Deserialize<T>(body, options ?? JsonSerializerOptions.Web), null);
        }
        catch (JsonException ex)
        {
            // The path of the offending member (never its value): "$.availble", "$.lines[0].quantity".
            return (default, HttpReply.Problem(400, malformed, ex.Path is { Length: > 1 } path ? $"At {path}." : "The body is not the JSON object expected."));
        }
    }

    public static HttpReply TooLarge(int maxBytes) => HttpReply.Problem(413, "Payload too large.", $"The limit is {maxBytes} bytes.");
}
