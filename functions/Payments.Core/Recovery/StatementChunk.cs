namespace Payments.Recovery;

/// <summary>One chunk of a staged statement: the unit of work (and of checkpointing) of a statement run.</summary>
public sealed record StatementChunk(DateOnly Date, Guid Run, int Chunk);
