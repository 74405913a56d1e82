using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Yarp.ReverseProxy.Forwarder;

namespace Payments.Benchmarks.Requests;

/// <summary>
/// A reverse proxy between the pipeline and Azurite that counts every storage request: one port
/// each for blob, queue and table, each forwarding to Azurite's (YARP's direct forwarder). The host
/// under test gets <see cref="ConnectionString"/> for both of its storage settings, so the Durable
/// provider's own polling, leases and history go through here too, and nothing reaches storage
/// uncounted.
/// </summary>
public sealed partial class CountingStorageProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpMessageInvoker invoker;
    private readonly ConcurrentDictionary<StorageRequestKey, long> requests = new();
    private readonly ConcurrentDictionary<StorageRequestKey, long> entities = new();
    private readonly ConcurrentDictionary<string, long> statuses = new();
    private readonly ConcurrentDictionary<(StorageRequestKey Key, int Status), long> refusals = new();
    private StorageRequestClassifier classifier = new("\0", "\0");

    private CountingStorageProxy(WebApplication app, HttpMessageInvoker invoker, int blobPort, int queuePort, int tablePort)
    {
        this.app = app;
        this.invoker = invoker;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteProcess.AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    /// <summary>Azurite's account, reached through this proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>Names the tables, queues and containers of one host: its table prefix and task hub.</summary>
    public void Attribute(string tablePrefix, string taskHub) => classifier = new StorageRequestClassifier(tablePrefix, taskHub);

    /// <summary>Every request counted so far, by key; subtract two snapshots to get a phase's requests.</summary>
    public IReadOnlyDictionary<StorageRequestKey, long> Snapshot() => new Dictionary<StorageRequestKey, long>(requests);

    /// <summary>Table entities touched so far (a batch counts each of its operations): what a partition's 2,000 entities/s target counts.</summary>
    public IReadOnlyDictionary<StorageRequestKey, long> EntitySnapshot() => new Dictionary<StorageRequestKey, long>(entities);

    /// <summary>Responses by status class (2xx, 3xx, 4xx, 5xx): a 409 of a conditional insert is a request too.</summary>
    public IReadOnlyDictionary<string, long> Statuses() => new Dictionary<string, long>(statuses);

    /// <summary>Every 4xx response by the request's key and its status (404 of a point read that missed, 409 of an insert that lost…): each is a billed request.</summary>
    public IReadOnlyDictionary<(StorageRequestKey Key, int Status), long> Refusals() => new Dictionary<(StorageRequestKey Key, int Status), long>(refusals);

    public static async Task<CountingStorageProxy> StartAsync(AzuriteProcess azurite)
    {
        var ports = (Blob: FreePort.Next(), Queue: FreePort.Next(), Table: FreePort.Next());
        var targets = new Dictionary<int, (string Service, string Destination)>
        {
            [ports.Blob] = ("blob", $"http://127.0.0.1:{azurite.BlobPort}/"),
            [ports.Queue] = ("queue", $"http://127.0.0.1:{azurite.QueuePort}/"),
            [ports.Table] = ("table", $"http://127.0.0.1:{azurite.TablePort}/"),
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            foreach (var port in targets.Keys)
            {
                k.Listen(IPAddress.Loopback, port);
            }
        });
        var app = builder.Build();
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            MaxConnectionsPerServer = 1024,
        });
        var proxy = new CountingStorageProxy(app, invoker, ports.Blob, ports.Queue, ports.Table);
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
        app.Run(async context =>
        {
            var (service, destination) = targets[context.Connection.LocalPort];
            var request = context.Request;
            var batchTarget = service == "table" && request.Path.Value!.EndsWith("$batch", StringComparison.Ordinal)
                ? await BatchAsync(request)
                : default;
            var key = proxy.classifier.Classify(service, request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", batchTarget.Target);
            proxy.requests.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (service == "table")
            {
                var touched = batchTarget.Target is null ? 1 : batchTarget.Operations;
                proxy.entities.AddOrUpdate(key, touched, (_, n) => n + touched);
            }
            await forwarder.SendAsync(context, destination, invoker, config, HttpTransformer.Default);
            proxy.statuses.AddOrUpdate($"{context.Response.StatusCode / 100}xx", 1, (_, n) => n + 1);
            if (context.Response.StatusCode is >= 400 and < 500)
            {
                proxy.refusals.AddOrUpdate((key, context.Response.StatusCode), 1, (_, n) => n + 1);
            }
        });
        await app.StartAsync();
        return proxy;
    }

    /// <summary>
    /// A table batch names its table only inside its multipart body: read the body (kept for the
    /// forward), take the first sub-request's path and count the sub-requests.
    /// </summary>
    private static async Task<(string? Target, int Operations)> BatchAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        request.Body.Position = 0;
        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var lines = SubRequest().Matches(body);
        return lines.Count == 0 ? (null, 0) : (new Uri(lines[0].Groups["url"].Value).AbsolutePath, lines.Count);
    }

    [GeneratedRegex(@"^(?:POST|PUT|PATCH|MERGE|DELETE|GET) (?<url>https?://\S+) HTTP/1\.1\r?$", RegexOptions.Multiline)]
    private static partial Regex SubRequest();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        invoker.Dispose();
    }
}
