using Payments.LocalHost;

namespace Payments.Tests;

/// <summary>The local host hands a function's result on whatever kind of task the function returned.</summary>
public sealed class FunctionResultTests
{
    private static async Task<int> ComputedAsync()
    {
        await Task.Yield();
        return 42;
    }

    private static async Task CompletedAsync() => await Task.Yield();

    [Fact]
    public async Task A_result_comes_back_from_an_async_method_a_completed_task_and_a_plain_value()
    {
        Assert.Equal(42, await FunctionInvoker.AwaitResult(ComputedAsync()));
        Assert.Equal("done", await FunctionInvoker.AwaitResult(Task.FromResult("done")));
        Assert.Equal(7, await FunctionInvoker.AwaitResult(7));
        // A second task of the same type reads through the reader made for the first.
        Assert.Equal(42, await FunctionInvoker.AwaitResult(ComputedAsync()));
    }

    [Fact]
    public async Task A_task_without_a_result_gives_null()
    {
        Assert.Null(await FunctionInvoker.AwaitResult(CompletedAsync()));
        Assert.Null(await FunctionInvoker.AwaitResult(Task.CompletedTask));
        Assert.Null(await FunctionInvoker.AwaitResult(null));
    }
}
