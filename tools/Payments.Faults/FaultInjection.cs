using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Payments.Gateway;
using Payments.Ledger;
using Payments.Saga;

namespace Payments.Faults;

/// <summary>
/// Turns fault injection on for a pipeline composed by <c>AddPaymentsCore</c>: wraps the stock and
/// points ledgers, intake's dispatch and the gateway port in their fault decorators, configured
/// from <see cref="FaultOptions"/>. Production never calls it; the local host does when its
/// configuration has a <c>Faults</c> section.
/// </summary>
public static class FaultInjection
{
    public static IServiceCollection AddFaultInjection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FaultOptions>().Bind(configuration.GetSection(FaultOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var seed = sp.GetRequiredService<IOptions<FaultOptions>>().Value.Seed ?? Random.Shared.Next();
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FaultInjection))
                .LogWarning("Fault injection is on with seed {FaultSeed}; set Faults:Seed to it to repeat the run", seed);
            return new FaultRandom(seed);
        });

        services.Decorate<IStockReservations>((inner, sp) => new FaultyStockReservations(inner, Options(sp), sp.GetRequiredService<FaultRandom>(), sp.GetRequiredService<TimeProvider>()));
        services.Decorate<IPointsGrants>((inner, sp) => new FaultyPointsGrants(inner, Options(sp), sp.GetRequiredService<FaultRandom>(), sp.GetRequiredService<TimeProvider>()));
        services.Decorate<IStoredCallbackDispatch>((inner, sp) => new FaultyCallbackDispatch(inner, Options(sp), sp.GetRequiredService<FaultRandom>()));
        services.Decorate<IPaymentGateway>((inner, sp) => new FaultyPaymentGateway(inner, Options(sp), sp.GetRequiredService<FaultRandom>()));
        return services;
    }

    private static FaultOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<FaultOptions>>().Value;

    /// <summary>
    /// Replaces the last registration of <typeparamref name="TService"/> with one that wraps what it
    /// created, keeping its lifetime (the gateway is a transient typed HTTP client, the rest singletons).
    /// </summary>
    private static void Decorate<TService>(this IServiceCollection services, Func<TService, IServiceProvider, TService> decorate)
        where TService : class
    {
        var index = services.Count - 1;
        while (index >= 0 && (services[index].ServiceType != typeof(TService) || services[index].IsKeyedService))
        {
            index--;
        }
        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(TService).Name} is not registered: call AddPaymentsCore before AddFaultInjection.");
        }
        var original = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(TService), sp => decorate((TService)Create(original, sp), sp), original.Lifetime);
    }

    private static object Create(ServiceDescriptor original, IServiceProvider services) =>
        original.ImplementationInstance
        ?? original.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, original.ImplementationType!);
}
