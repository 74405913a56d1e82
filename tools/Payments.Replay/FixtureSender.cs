using System.Net.Http.Headers;
using System.Text.Json;
using Payments.Intake;

namespace Payments.Replay;

/// <summary>Sends fixture files to a deployment and says, per fixture, what it answered.</summary>
public sealed class FixtureSender(HttpClient http, ReplayOptions options)
{
    /// <summary>Alipay posts a form; every other gateway JSON. The inbox keeps no content type, so it is the provider's.</summary>
    public static string ContentTypeOf(string provider) =>
        provider == "alipay" ? "application/x-www-form-urlencoded; charset=utf-8" : "application/json";

    public static IReadOnlyList<CallbackFixtureFile> Load(string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal).ToArray() : [path];
        return [.. files.Select(f => CallbackFixtureFile.Read(File.ReadAllBytes(f)) ?? throw new InvalidDataException($"{f} is not a {CallbackFixtureFile.CurrentFormat} file."))];
    }

    public async Task<IReadOnlyList<ReplayOutcome>> SendAsync(CallbackFixtureFile file, CancellationToken ct)
    {
        if (options.Mode == ReplayMode.Ops)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Target!, "api/ops/callbacks/replay")) { Content = new ByteArrayContent(file.ToUtf8()) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (options.FunctionKey is { Length: > 0 } key)
            {
                request.Headers.Add("x-functions-key", key);
            }
            if (options.BearerToken is { Length: > 0 } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var reply = await http.SendAsync(request, ct);
            reply.EnsureSuccessStatusCode();
            return JsonSerializer.Deserialize<ReplayOutcome[]>(await reply.Content.ReadAsByteArrayAsync(ct), JsonSerializerOptions.Web) ?? [];
        }
        var outcomes = new List<ReplayOutcome>();
        foreach (var fixture in file.Fixtures)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.Target!, $"api/callbacks/{Uri.EscapeDataString(fixture.Provider)}"))
            {
                Content = new ByteArrayContent(fixture.Body),
            };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentTypeOf(fixture.Provider));
            foreach (var (name, value) in fixture.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            using var reply = await http.SendAsync(request, ct);
            outcomes.Add(new ReplayOutcome(fixture.Provider, fixture.EventId, (int)reply.StatusCode, reply.IsSuccessStatusCode ? "accepted" : "refused"));
        }
        return outcomes;
    }
}
