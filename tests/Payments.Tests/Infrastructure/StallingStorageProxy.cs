using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Payments.Tests.Infrastructure;

/// <summary>
/// A table endpoint in front of Azurite that storage can freeze behind, for the pipeline's own
/// storage (queues, blobs and the Durable task hub go to Azurite directly). Two ways to stall, each
/// until <see cref="Thaw"/>:
/// <list type="bullet">
/// <item><see cref="Freeze"/>: every request waits before it reaches Azurite, as with a storage
///   process that stopped (SIGSTOP); once thawed it goes on, as far as its caller is still there.</item>
/// <item><see cref="WithholdAnswers"/>: requests on one table reach Azurite at once and are carried
///   out; their answers wait. The write is done and its caller does not know: the case that could
///   leave a callback half-stored.</item>
/// </list>
/// </summary>
public sealed class StallingStorageProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpMessageInvoker forward;
    private readonly HttpMessageInvoker forwardThenWait;
    private readonly Lock gate = new();
    private TaskCompletionSource thawed = Thawed();
    private bool frozen;
    private string? withheldTable;
    private int held;
    private int withheld;

    private StallingStorageProxy(WebApplication app, SocketsHttpHandler sockets, AzuriteProcess azurite, int tablePort)
    {
        this.app = app;
        forward = new HttpMessageInvoker(sockets, disposeHandler: false);
        // Disposing this one disposes the shared handler too (a delegating handler owns its inner one).
        forwardThenWait = new HttpMessageInvoker(new AnswerWhenThawed(this, sockets), disposeHandler: true);
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{azurite.BlobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{azurite.QueuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    /// <summary>Azurite's account with its table endpoint behind this proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>Requests held back by a freeze so far.</summary>
    public int Held => Volatile.Read(ref held);

    /// <summary>Requests carried out whose answers were withheld so far.</summary>
    public int Withheld => Volatile.Read(ref withheld);

    public static async Task<StallingStorageProxy> StartAsync(AzuriteProcess azurite)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        var proxy = new StallingStorageProxy(app, sockets, azurite, port);
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var destination = $"http://127.0.0.1:{azurite.TablePort}/";
        // No activity timeout shorter than a test's freeze: the proxy stalls, it never answers on storage's behalf.
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(5) };
        app.Run(async context =>
        {
            var (isFrozen, table, until) = proxy.State();
            if (isFrozen)
            {
                Interlocked.Increment(ref proxy.held);
                await until;
            }
            var invoker = table is not null && await TouchesAsync(context.Request, table) ? proxy.forwardThenWait : proxy.forward;
            await forwarder.SendAsync(context, destination, invoker, config, RawTarget.Instance);
        });
        await app.StartAsync();
        return proxy;
    }

    /// <summary>Every table request waits until <see cref="Thaw"/>.</summary>
    public void Freeze()
    {
        lock (gate)
        {
            Stall();
            frozen = true;
        }
    }

    /// <summary>Requests on <paramref name="table"/> (its full name, prefix included) are carried out; their answers wait until <see cref="Thaw"/>.</summary>
    public void WithholdAnswers(string table)
    {
        lock (gate)
        {
            Stall();
            withheldTable = table;
        }
    }

    /// <summary>Lets everything held go on, and stalls nothing from now on.</summary>
    public void Thaw()
    {
        lock (gate)
        {
            frozen = false;
            withheldTable = null;
            thawed.TrySetResult();
        }
    }

    private void Stall()
    {
        if (thawed.Task.IsCompleted)
        {
            thawed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private (bool Frozen, string? Table, Task Until) State()
    {
        lock (gate)
        {
            return (frozen, withheldTable, thawed.Task);
        }
    }

    private Task Until()
    {
        lock (gate)
        {
            return thawed.Task;
        }
    }

    private static TaskCompletionSource Thawed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>
    /// An entity request names its table in its path; a batch (an entity-group transaction) only in
    /// its multipart body, as each sub-request's URL: read it (kept for the forward) and look.
    /// </summary>
    private static async Task<bool> TouchesAsync(HttpRequest request, string table)
    {
        var path = request.Path.Value ?? "";
        var name = "/" + table;
        if (path.EndsWith(name, StringComparison.Ordinal) || path.Contains(name + "(", StringComparison.Ordinal))
        {
            return true;
        }
        if (!HttpMethods.IsPost(request.Method) || !path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            return false;
        }
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        request.Body.Position = 0;
        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return body.Contains(name + " ", StringComparison.Ordinal) || body.Contains(name + "(", StringComparison.Ordinal);
    }

    /// <summary>
    /// Forwards the path exactly as the client sent it: the storage client signs its escaped form (a
    /// row key's <c>%3A</c>), which the decoded path would lose, and Azurite would refuse the signature.
    /// </summary>
    private sealed class RawTarget : HttpTransformer
    {
        public static readonly RawTarget Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var target = httpContext.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + target);
        }
    }

    /// <summary>Sends the request on to Azurite, then holds its answer until the proxy thaws.</summary>
    private sealed class AnswerWhenThawed(StallingStorageProxy proxy, HttpMessageHandler sockets) : DelegatingHandler(sockets)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Interlocked.Increment(ref proxy.withheld);
            await proxy.Until();
            return response;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Thaw();
        await app.StopAsync();
        await app.DisposeAsync();
        forward.Dispose();
        forwardThenWait.Dispose();
    }
}
