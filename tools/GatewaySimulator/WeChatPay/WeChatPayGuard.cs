using Microsoft.AspNetCore.Http.Features;

namespace GatewaySimulator.WeChatPay;

/// <summary>
/// Runs around every /v3 endpoint as WeChat Pay's gateway does: refuses a request whose merchant
/// signature does not verify (401 <c>SIGN_ERROR</c>) or that has no User-Agent (400), injects the configured outages (500
/// <c>SYSTEM_ERROR</c>, unsigned, nothing performed) and stalls, and signs every answer with the
/// platform key the request's <c>Wechatpay-Serial</c> names (<see cref="WeChatPayDialect.AnswerSerial"/>)
/// — except the bill file, which the merchant checks against the bill's SHA1 instead.
/// </summary>
internal sealed class WeChatPayGuard(WeChatPayDialect dialect, SimulatorOptions options, SeededRandom random, StatsCounters stats, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        request.Body.Position = 0;
        // The target exactly as sent: what the merchant signed.
        var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var problem = dialect.RequestProblem(request.Method, target, request.Headers.Authorization.FirstOrDefault(), body.ToArray(), clock.GetUtcNow());
        var (status, code) = (StatusCodes.Status401Unauthorized, "SIGN_ERROR");
        if (problem is null && string.IsNullOrWhiteSpace(request.Headers.UserAgent))
        {
            (problem, status, code) = ("HTTP 头缺少 User-Agent", StatusCodes.Status400BadRequest, "INVALID_REQUEST");
        }

        if (problem is null && await InjectOutageAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var original = context.Response.Body;
        using var answer = new MemoryStream();
        context.Response.Body = answer;
        try
        {
            if (problem is not null)
            {
                await WeChatPayApi.Error(status, code, problem).ExecuteAsync(context).ConfigureAwait(false);
            }
            else
            {
                await next(context).ConfigureAwait(false);
            }
        }
        finally
        {
            context.Response.Body = original;
        }
        if (!request.Path.StartsWithSegments(WeChatPayApi.BillDownloadPath))
        {
            // The request's Wechatpay-Serial names the key the merchant verifies with (decisive during a key migration).
            var serial = dialect.AnswerSerial(request.Headers["Wechatpay-Serial"].FirstOrDefault());
            foreach (var (name, value) in dialect.SignatureHeaders(clock.GetUtcNow().ToUnixTimeSeconds(), answer.ToArray(), serial))
            {
                context.Response.Headers[name] = value;
            }
        }
        answer.Position = 0;
        await answer.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>True when an outage was answered (or the client gave up during a stall).</summary>
    private async Task<bool> InjectOutageAsync(HttpContext context)
    {
        if (options.ApiErrorRate <= 0 && options.ApiTimeoutRate <= 0)
        {
            return false;
        }
        var roll = random.Draw(r => r.NextDouble());
        if (roll >= options.ApiErrorRate + options.ApiTimeoutRate)
        {
            return false;
        }
        stats.ApiErrorInjected();
        if (roll >= options.ApiErrorRate)
        {
            stats.ApiTimeoutInjected();
            var stopping = context.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            try
            {
                await Task.Delay(options.ApiTimeout, clock, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stall.IsCancellationRequested)
            {
                if (context.RequestAborted.IsCancellationRequested)
                {
                    return true;
                }
            }
        }
        // Not performed: a merchant retrying with the same out_trade_no / out_refund_no must converge.
        await WeChatPayApi.Error(StatusCodes.Status500InternalServerError, "SYSTEM_ERROR", "simulated gateway outage").ExecuteAsync(context).ConfigureAwait(false);
        return true;
    }
}
