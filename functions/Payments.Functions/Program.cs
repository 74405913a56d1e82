using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;
using Payments.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddPaymentsCore(builder.Configuration);
// With host.json's telemetryMode OpenTelemetry, the worker exports its own traces, metrics and logs;
// the Functions defaults join its spans to the host's invocation spans.
builder.Services.AddPipelineTelemetry(builder.Configuration).UseFunctionsWorkerDefaults();
builder.Build().Run();
