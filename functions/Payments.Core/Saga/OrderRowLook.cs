namespace Payments.Saga;

/// <summary>
/// What intake's look at an order's row, made before the callback is stored, found and did
/// (<see cref="PaymentDispatch.RaiseBeforeStoringAsync"/>): it decides the state the callback is stored in
/// and what dispatch still has to do after the insert.
/// </summary>
public enum OrderRowLook
{
    /// <summary>The row showed a running saga and the event was raised to it: the callback is stored already applied.</summary>
    RaisedToRunningSaga,

    /// <summary>
    /// No row: the order is not registered (rows are written before sagas start), so no saga existed when
    /// the row was read; after storing, the callback goes to the retry lane without a first look at the engine.
    /// </summary>
    NoOrderRow,

    /// <summary>A row that does not vouch for a running saga (ended, not started yet, another payment): the full look decides after storing.</summary>
    FullLookNeeded,
}
