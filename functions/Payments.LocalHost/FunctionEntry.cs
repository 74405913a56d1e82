using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost;

/// <summary>One <c>[Function]</c> method of the Functions app and its trigger, as the local host runs it.</summary>
public sealed record FunctionEntry(string Name, TriggerKind Trigger, MethodInfo Method, ParameterInfo TriggerParameter)
{
    public HttpTriggerAttribute Http => TriggerParameter.GetCustomAttribute<HttpTriggerAttribute>()!;

    public TimerTriggerAttribute Timer => TriggerParameter.GetCustomAttribute<TimerTriggerAttribute>()!;
}
