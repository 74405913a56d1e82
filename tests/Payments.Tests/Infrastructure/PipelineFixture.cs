namespace Payments.Tests.Infrastructure;

/// <summary>An xunit class fixture owning one <see cref="PipelineHost"/>; subclasses choose its settings.</summary>
public abstract class PipelineFixture : IAsyncLifetime
{
    private PipelineHost? pipeline;

    public PipelineHost Pipeline => pipeline ?? throw new InvalidOperationException("Fixture not started.");

    protected abstract Task<PipelineHost> StartAsync();

    public async Task InitializeAsync() => pipeline = await StartAsync();

    public virtual async Task DisposeAsync()
    {
        if (pipeline is not null)
        {
            await pipeline.DisposeAsync();
        }
    }
}
