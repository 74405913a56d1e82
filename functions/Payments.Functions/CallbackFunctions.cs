using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Payments.Functions.Http;
using Payments.Intake;

namespace Payments.Functions;

/// <summary>Gateway webhooks: <c>POST /api/callbacks/{provider}</c>.</summary>
public sealed class CallbackFunctions(CallbackIntake intake)
{
    [Function("Callback")]
    public async Task<IActionResult> Callback(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "callbacks/{provider}")] HttpRequest request,
        string provider,
        [DurableClient] DurableTaskClient durable,
        CancellationToken ct) =>
        await intake.AcceptAsync(request.ToIncomingCallback(provider), durable, ct) switch
        {
            IntakeResult.Acknowledged ok => new HttpReply(ok.Reply.StatusCode, ok.Reply.ContentType, ok.Reply.BodyBytes()),
            IntakeResult.UnknownProvider => HttpReply.Problem(404, "Unknown provider."),
            IntakeResult.ProviderUnavailable => HttpReply.Problem(503, "Temporarily unavailable; retry later."),
            IntakeResult.TooLarge tooLarge => HttpReply.Problem(413, "Payload too large.", $"The limit is {tooLarge.MaxBytes} bytes."),
            IntakeResult.Unauthorized => HttpReply.Status(401),
            IntakeResult.Invalid invalid => HttpReply.Problem(400, "Invalid callback payload.", errors: invalid.Errors),
            IntakeResult.Unavailable => HttpReply.Problem(503, "Temporarily unavailable; retry later."),
            _ => throw new InvalidOperationException("Unmapped intake result."),
        };
}
