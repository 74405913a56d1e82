namespace Payments.LocalHost;

public enum TriggerKind { Http, Timer, Orchestration, Activity }
