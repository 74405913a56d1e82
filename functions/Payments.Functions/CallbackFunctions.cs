using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Payments.Functions.Http;
using Payments.Gateway;
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
        CancellationToken ct)
    {
        // A gateway with its own failure body (WeChat Pay) gets it; the status code stays intake's.
        HttpReply Refuse(int status, string title, HttpReply otherwise) =>
            intake.RefusalFor(provider, status, title) is { } own ? Reply(own) : otherwise;

        return await intake.AcceptAsync(request.ToIncomingCallback(provider), durable, ct) switch
        {
            IntakeResult.Acknowledged ok => Reply(ok.Reply),
            IntakeResult.UnknownProvider => HttpReply.Problem(404, "Unknown provider."),
            IntakeResult.ProviderUnavailable => HttpReply.Problem(503, "Temporarily unavailable; retry later."),
            IntakeResult.ProviderNotConfigured missing => HttpReply.Problem(503, "Provider not configured.",
                $"This deployment has no {missing.Provider} account configured ({missing.Setting} is not set); callbacks are taken once it is. GET /api/health lists each connector."),
            IntakeResult.TooLarge tooLarge => Refuse(413, "Payload too large.", HttpReply.Problem(413, "Payload too large.", $"The limit is {tooLarge.MaxBytes} bytes.")),
            IntakeResult.Unauthorized => Refuse(401, "Unauthorized.", HttpReply.Status(401)),
            IntakeResult.Invalid invalid => Refuse(400, "Invalid callback payload.", HttpReply.Problem(400, "Invalid callback payload.", errors: invalid.Errors)),
            IntakeResult.Unavailable => Refuse(503, "Temporarily unavailable; retry later.", HttpReply.Problem(503, "Temporarily unavailable; retry later.")),
            _ => throw new InvalidOperationException("Unmapped intake result."),
        };
    }

    // An empty content type (a 204 with no body, as WeChat Pay wants) sets none.
    private static HttpReply Reply(WebhookAcknowledgement reply) =>
        new(reply.StatusCode, reply.ContentType.Length == 0 ? null : reply.ContentType, reply.BodyBytes());
}
