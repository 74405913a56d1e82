using System.Text.Json;
using System.Text.Json.Serialization;

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
    public static CallbackFixtureFile? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var file = JsonSerializer.Deserialize<CallbackFixtureFile>(utf8, Json);
            return file is { Format: CurrentFormat, Fixtures: not null } && file.Fixtures.All(f => f is { Provider: not null, EventId: not null, Body: not null, Headers: not null })
                ? file
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
