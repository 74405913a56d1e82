using System.Net;
using System.Text;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// The providers' documented example payloads committed under <c>Fixtures/Providers/{provider}/</c>
/// (their sources: that folder's README). Bodies only: signatures and ciphertexts are made by the tests.
/// </summary>
public static class ProviderFixtures
{
    public static string Folder => RepoPaths.InRoot("tests", "Payments.Tests", "Fixtures", "Providers");

    public static byte[] Bytes(string provider, string file) => File.ReadAllBytes(Path.Combine(Folder, provider, file));

    public static string Text(string provider, string file) => File.ReadAllText(Path.Combine(Folder, provider, file), Encoding.UTF8);
}

/// <summary>
/// A gateway's API as canned answers: each request is handed to <paramref name="answer"/>, which returns
/// the response to send (the request's body already read into the second argument). Records every request.
/// </summary>
public sealed class CannedGateway(Func<HttpRequestMessage, string, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, string PathAndQuery, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.Method, request.RequestUri!.PathAndQuery, body));
        return answer(request, body);
    }

    public static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Bytes(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };

    public static HttpResponseMessage NotFound() => new(HttpStatusCode.NotFound);
}
