using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace Payments.Functions.Http;

/// <summary>
/// A complete HTTP reply (status, content type, bytes) that writes itself to the response. Needs no
/// MVC formatters, so the Functions host and the local host execute it identically.
/// </summary>
public sealed class HttpReply(int statusCode, string? contentType = null, byte[]? body = null) : IActionResult
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<KeyValuePair<string, string>> headers = [];

    public int StatusCode => statusCode;

    public static HttpReply Status(int statusCode) => new(statusCode);

    public static HttpReply Text(int statusCode, string contentType, string body) => new(statusCode, contentType, Encoding.UTF8.GetBytes(body));

    public static HttpReply JsonBody(int statusCode, object value) =>
        new(statusCode, "application/json; charset=utf-8", JsonSerializer.SerializeToUtf8Bytes(value, Json));

    /// <summary>An RFC 9457 problem document.</summary>
    public static HttpReply Problem(int statusCode, string title, string? detail = null, IReadOnlyList<string>? errors = null) =>
        new(statusCode, "application/problem+json", JsonSerializer.SerializeToUtf8Bytes(
            new { type = "about:blank", title, status = statusCode, detail, errors }, Json));

    /// <summary>Adds a response header (e.g. an <c>ETag</c>).</summary>
    public HttpReply WithHeader(string name, string value)
    {
        headers.Add(new(name, value));
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = statusCode;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }
        if (body is { Length: > 0 })
        {
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
        }
    }
}
