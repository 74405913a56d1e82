using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Payments.LocalHost;

public enum TriggerKind { Http, Timer, Orchestration, Activity }
