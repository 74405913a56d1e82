using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Payments.Faults;
using Payments.Gateway;
using Payments.Hosting;
using Payments.Ledger;
using Payments.LocalHost;
using Payments.Saga;
using Payments.Tests.Infrastructure;

namespace Payments.Tests;

/// <summary>
/// Fault injection cannot reach production: the deployable's assemblies carry no fault code and
/// reference none, production registration wraps nothing whatever the settings say, and the local
/// host wraps the seams only when its configuration has a <c>Faults</c> section.
/// </summary>
public sealed class ProductionHasNoFaultsTests
{
    private static readonly System.Reflection.Assembly FaultsAssembly = typeof(FaultOptions).Assembly;

    [Theory]
    [InlineData("Payments.Core", "Azure.Data.Tables")]
    [InlineData("Payments.Functions", "Payments.Core")]
    public void The_deployed_assemblies_neither_reference_nor_contain_fault_code(string assembly, string aReferenceItHas)
    {
        using var file = new PEReader(File.OpenRead(Path.Combine(RepoPaths.BuildOutput("Payments.Functions"), assembly + ".dll")));
        var metadata = file.GetMetadataReader();
        var references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToList();
        var usedNamespaces = metadata.TypeReferences.Select(h => metadata.GetString(metadata.GetTypeReference(h).Namespace)).Distinct().ToList();
        var ownTypes = metadata.TypeDefinitions.Select(h => metadata.GetString(metadata.GetTypeDefinition(h).Name)).ToList();

        Assert.Contains(aReferenceItHas, references);
        Assert.DoesNotContain(FaultsAssembly.GetName().Name, references);
        Assert.DoesNotContain(usedNamespaces, n => n.StartsWith("Polly.Simmy", StringComparison.Ordinal));
        Assert.DoesNotContain(ownTypes, t => t.Contains("Fault", StringComparison.Ordinal) || t.Contains("Chaos", StringComparison.Ordinal));
    }

    [Fact]
    public void The_Functions_app_output_ships_no_fault_assembly()
    {
        var output = RepoPaths.BuildOutput("Payments.Functions");
        var dependencies = File.ReadAllText(Path.Combine(output, "Payments.Functions.deps.json"));

        Assert.Contains("Payments.Core", dependencies);
        Assert.DoesNotContain(FaultsAssembly.GetName().Name!, dependencies);
        Assert.False(File.Exists(Path.Combine(output, FaultsAssembly.GetName().Name + ".dll")));
    }

    [Fact]
    public void Production_registration_wraps_nothing_even_when_fault_settings_are_present()
    {
        var services = new ServiceCollection().AddLogging().AddPaymentsCore(Settings(withFaults: true));

        Assert.DoesNotContain(services, FromFaultsAssembly);
        using var provider = services.BuildServiceProvider();
        AssertSeams(provider, typeof(StockLedger), typeof(PointsLedger), typeof(PaymentDispatch), typeof(GatewayConnectors));
    }

    [Fact]
    public void The_local_host_without_a_Faults_section_registers_no_decorator()
    {
        var services = LocalFunctionsHost.AddPipelineServices(new ServiceCollection().AddLogging(), Settings(withFaults: false));

        Assert.DoesNotContain(services, FromFaultsAssembly);
        using var provider = services.BuildServiceProvider();
        AssertSeams(provider, typeof(StockLedger), typeof(PointsLedger), typeof(PaymentDispatch), typeof(GatewayConnectors));
    }

    [Fact]
    public void The_local_host_with_a_Faults_section_wraps_every_seam_with_the_configured_seed()
    {
        var services = LocalFunctionsHost.AddPipelineServices(new ServiceCollection().AddLogging(), Settings(withFaults: true));

        using var provider = services.BuildServiceProvider();
        AssertSeams(provider, typeof(FaultyStockReservations), typeof(FaultyPointsGrants), typeof(FaultyCallbackDispatch), typeof(FaultyPaymentGateway));
        Assert.Equal(1234, provider.GetRequiredService<FaultRandom>().Seed);
        // Operators and tests still reach the ledgers themselves.
        Assert.IsType<StockLedger>(provider.GetRequiredService<StockLedger>());
    }

    private static IConfiguration Settings(bool withFaults)
    {
        var overrides = new Dictionary<string, string?>();
        if (withFaults)
        {
            overrides["Faults:Seed"] = "1234";
            overrides["Faults:StockTransientFailureRate"] = "1";
            overrides["Faults:PointsTransientFailureRate"] = "1";
            overrides["Faults:IntakeDispatchFailureRate"] = "1";
            overrides["Faults:GatewayTransientFailureRate"] = "1";
            overrides["Faults:PermanentFailureSkus"] = "sku-broken";
        }
        return LocalSettings.Build([], RepoPaths.InRoot("local.settings.json"), overrides);
    }

    private static void AssertSeams(IServiceProvider provider, Type stock, Type points, Type dispatch, Type gateway)
    {
        Assert.IsType(stock, provider.GetRequiredService<IStockReservations>());
        Assert.IsType(points, provider.GetRequiredService<IPointsGrants>());
        Assert.IsType(dispatch, provider.GetRequiredService<IStoredCallbackDispatch>());
        Assert.IsType(gateway, provider.GetRequiredService<IPaymentGateway>());
    }

    /// <summary>A registration whose service, implementation or factory comes from the fault assembly.</summary>
    private static bool FromFaultsAssembly(ServiceDescriptor d)
    {
        var types = d.IsKeyedService
            ? new[] { d.ServiceType, d.KeyedImplementationType, d.KeyedImplementationInstance?.GetType(), d.KeyedImplementationFactory?.Method.DeclaringType }
            : [d.ServiceType, d.ImplementationType, d.ImplementationInstance?.GetType(), d.ImplementationFactory?.Method.DeclaringType];
        return types.Any(t => t?.Assembly == FaultsAssembly);
    }
}
