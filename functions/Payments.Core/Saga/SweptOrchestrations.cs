using Payments.Storage;

namespace Payments.Saga;

/// <summary>
/// Which orchestrations a recovery sweep settles, by instance id: every order saga (the crashed-saga
/// sweep) and every <c>refund-…</c> orchestration (the failed-refund sweep; after-sales refunds are
/// followed through the money ledger instead).
/// </summary>
public static class SweptOrchestrations
{
    public static string? KindOf(string instanceId) =>
        instanceId.StartsWith(OrderSaga.InstanceId(""), StringComparison.Ordinal) ? OpenOrchestrationIndex.Sagas
        : instanceId.StartsWith(LatePaymentRefund.InstanceId(""), StringComparison.Ordinal) ? OpenOrchestrationIndex.Refunds
        : null;

    /// <summary>The instance id prefix of a kind's orchestrations, for the index upgrade's one listing of them.</summary>
    public static string PrefixOf(string kind) => kind == OpenOrchestrationIndex.Sagas ? OrderSaga.InstanceId("") : LatePaymentRefund.InstanceId("");
}
