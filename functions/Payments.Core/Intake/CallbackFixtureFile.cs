using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Payments.Contracts;
using Payments.Gateway;

namespace Payments.Intake;

/// <summary>
/// A fixture file: what <c>GET /api/ops/callbacks/export</c> writes and what the verify and replay
/// endpoints, the replay CLI (tools/Payments.Replay) and the fixture regression test read.
/// </summary>
public sealed record CallbackFixtureFile(string Format, DateTimeOffset ExportedAt, IReadOnlyList<CallbackFixture> Fixtures)
{
    /// <summary>The format's name and version; a reader refuses any other.</summary>
    public const string CurrentFormat = "payments-callback-fixtures/1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The file, or null when it is not a fixture file of this format.</summary>
    public static CallbackFixtureFile? Read(ReadOnlySpan<byte> utf8) => Read(utf8, out _);

    /// <summary>
    /// The file, or null with what is wrong with it: not a fixture file of this format, or a fixture
    /// intake could not take as a gateway's request (headers differing only in case or without a value,
    /// a body no gateway posts, an id no Table key can hold).
    /// </summary>
    public static CallbackFixtureFile? Read(ReadOnlySpan<byte> utf8, out IReadOnlyList<string> problems)
    {
        CallbackFixtureFile? file;
        try
        {
            file = Utf8.IsValid(utf8) ? JsonSerializer.Deserialize<CallbackFixtureFile>(utf8, Json) : null;
        }
        catch (JsonException)
        {
            file = null;
        }
        if (file is not { Format: CurrentFormat, Fixtures: not null })
        {
            problems = [$"format: expected a JSON fixture file of format {CurrentFormat}."];
            return null;
        }
        var found = new List<string>();
        for (var i = 0; i < file.Fixtures.Count; i++)
        {
            found.AddRange(Problems(file.Fixtures[i]).Select(p => $"fixtures[{i}].{p}"));
        }
        problems = found;
        return found.Count == 0 ? file : null;
    }

    private static IEnumerable<string> Problems(CallbackFixture? fixture)
    {
        if (fixture is not { Provider: not null, EventId: not null, Body: not null, Headers: not null })
        {
            yield return "provider, eventId, headers, bodyBase64: required.";
            yield break;
        }
        // The inbox keys by these; an export only ever writes ids intake accepted.
        if (!PayloadReader.IsIdentifier(fixture.EventId))
        {
            yield return "eventId: 1-128 letters, digits, '_', '-', ':' or '.'.";
        }
        if (fixture.OrderId is not null && !OrderRequest.IsId(fixture.OrderId))
        {
            yield return "orderId: 1-64 letters, digits, '_' or '-'.";
        }
        foreach (var same in fixture.Headers.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            yield return $"headers: {string.Join(", ", same.Select(n => $"'{n}'"))} are one header (names differ only in case).";
        }
        foreach (var (name, value) in fixture.Headers)
        {
            if (value is null)
            {
                yield return $"headers.{name}: a value is required.";
            }
        }
        if (!Utf8.IsValid(fixture.Body))
        {
            yield return "bodyBase64: not valid UTF-8; no gateway posts such a body.";
        }
    }
}
