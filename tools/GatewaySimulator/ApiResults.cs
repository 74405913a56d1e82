using System.Net;
using System.Text.Json;

namespace GatewaySimulator;

/// <summary>Translation between store outcomes and HTTP, shared by both APIs and the in-process calls.</summary>
internal static class ApiResults
{
    public static int StatusCodeOf(StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.Ok => StatusCodes.Status200OK,
        StoreOutcome.Created => StatusCodes.Status201Created,
        StoreOutcome.NotFound => StatusCodes.Status404NotFound,
        StoreOutcome.Conflict => StatusCodes.Status409Conflict,
        StoreOutcome.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        StoreOutcome.Refused => StatusCodes.Status402PaymentRequired,
        _ => StatusCodes.Status400BadRequest,
    };

    public static bool IsSuccess(StoreOutcome outcome) => outcome is StoreOutcome.Ok or StoreOutcome.Created;

    public static IResult Error(int statusCode, string message) => Results.Json(new ApiError(message), statusCode: statusCode);

    public static IResult Failure<T>(StoreResult<T> result)
        where T : class =>
        Error(StatusCodeOf(result.Outcome), result.Error ?? result.Outcome.ToString());

    /// <summary>The in-process API reports a refused operation the way an HTTP client would see it.</summary>
    public static HttpRequestException ToException<T>(StoreResult<T> result, string operation)
        where T : class =>
        new($"{operation} failed: {result.Error}", inner: null, (HttpStatusCode)StatusCodeOf(result.Outcome));

    /// <summary>Reads a JSON body; null when it is absent, not JSON, or malformed, which callers answer with 400.</summary>
    public static async Task<T?> ReadJsonAsync<T>(HttpRequest request)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return null;
        }

        try
        {
            return await request.ReadFromJsonAsync<T>(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>True when the request carries no body at all, which optional-body endpoints treat as "use the defaults".</summary>
    public static bool HasNoBody(HttpRequest request) =>
        request.ContentLength == 0 || (request.ContentLength is null && !request.HasJsonContentType());
}
