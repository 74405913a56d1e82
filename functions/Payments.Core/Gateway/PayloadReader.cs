using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using Payments.Contracts;

namespace Payments.Gateway;

/// <summary>
/// Reads required fields out of a callback's JSON, collecting one error per bad field, so a
/// provider's parser reads as a list of fields and the caller gets every problem at once.
/// </summary>
internal sealed partial class PayloadReader
{
    private readonly List<string> errors = [];

    public IReadOnlyList<string> Errors => errors;

    public bool HasErrors => errors.Count > 0;

    /// <summary>
    /// The body as a JSON object, or false when it is none. Invalid UTF-8 is refused here: the JSON
    /// reader accepts it inside strings and throws only when a string is read, past every catch.
    /// </summary>
    public static bool TryParse(byte[] body, out JsonDocument? document)
    {
        document = null;
        if (!Utf8.IsValid(body))
        {
            return false;
        }
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }
        return current;
    }

    public string Identifier(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.String } s && IdentifierPattern().IsMatch(s.GetString()!))
        {
            return s.GetString()!;
        }
        errors.Add($"{path}: required, 1-128 characters of letters, digits, '_', '-', ':' or '.'.");
        return "";
    }

    /// <summary>
    /// An order or payment id: what the order API accepts (<see cref="OrderRequest.IsId"/>), as these
    /// reach Table keys and name orders registered through it; an id it would refuse names no order.
    /// </summary>
    public string Id(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.String } s && OrderRequest.IsId(s.GetString()))
        {
            return s.GetString()!;
        }
        errors.Add($"{path}: {IdRule}");
        return "";
    }

    /// <summary>The rule of <see cref="OrderRequest.IsId"/>, as an error names it.</summary>
    public const string IdRule = "required, 1-64 letters, digits, '_' or '-'.";

    public string Text(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.String } s && !string.IsNullOrWhiteSpace(s.GetString()))
        {
            return s.GetString()!;
        }
        errors.Add($"{path}: required string.");
        return "";
    }

    public long AmountMinor(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var amount) && amount >= 0)
        {
            return amount;
        }
        errors.Add($"{path}: required non-negative integer amount in minor units.");
        return 0;
    }

    public string Currency(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.String } s && CurrencyPattern().IsMatch(s.GetString()!))
        {
            return s.GetString()!.ToUpperInvariant();
        }
        errors.Add($"{path}: required ISO 4217 currency code.");
        return "";
    }

    public DateTimeOffset UnixTime(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var seconds) && seconds > 0 && seconds <= MaxUnixSeconds)
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }
        errors.Add($"{path}: required unix timestamp, at most 9999-12-31.");
        return default;
    }

    // 9999-12-31T23:59:59Z: past it a DateTimeOffset cannot hold the time.
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public DateTimeOffset IsoTime(JsonElement root, string path)
    {
        var value = Find(root, path);
        if (value is { ValueKind: JsonValueKind.String } s
            && DateTimeOffset.TryParse(s.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }
        errors.Add($"{path}: required ISO-8601 timestamp.");
        return default;
    }

    public static bool IsIdentifier(string? value) => value is not null && IdentifierPattern().IsMatch(value);

    // \z, not $: '$' also matches before a final '\n', which would let "ord1\n" through to a Table key.
    [GeneratedRegex(@"^[A-Za-z0-9_.:-]{1,128}\z")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^[A-Za-z]{3}\z")]
    private static partial Regex CurrencyPattern();
}
