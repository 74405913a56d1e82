using Microsoft.DurableTask;

namespace Payments.LocalHost;

/// <summary>An activity function method registered with the Durable Task worker; a fresh function-class instance per call.</summary>
internal sealed class FunctionActivity(FunctionEntry function, IServiceProvider services) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.ParameterType;

    public Type OutputType => FunctionOrchestrator.ResultType(function);

    public Task<object?> RunAsync(TaskActivityContext context, object? input) =>
        FunctionInvoker.InvokeAsync(function, services, http: null, input, CancellationToken.None);
}
