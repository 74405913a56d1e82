using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Payments.Hosting;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Payments.Tests;

/// <summary>
/// The core's folders depend on each other one way only: shared records and secrets, then storage
/// adapters, then gateway and ledgers, then the saga, then intake and recovery, then the composition
/// root. A folder may use the ones below it, never one beside or above it.
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly Architecture Core = new ArchLoader().LoadAssemblies(typeof(PaymentsServices).Assembly).Build();

    // Each folder (namespace under Payments) with the folders it may use.
    public static readonly TheoryData<string, string[]> Layers = new()
    {
        { "Contracts", [] },
        { "Secrets", [] },
        { "Storage", ["Contracts"] },
        { "Gateway", ["Contracts", "Secrets"] },
        { "Ledger", ["Contracts", "Storage"] },
        { "Saga", ["Contracts", "Storage", "Gateway", "Ledger"] },
        { "Intake", ["Contracts", "Secrets", "Storage", "Saga"] },
        { "Recovery", ["Contracts", "Storage", "Gateway", "Ledger", "Saga"] },
        { "Hosting", ["Contracts", "Secrets", "Storage", "Gateway", "Ledger", "Saga", "Intake", "Recovery"] },
    };

    private static readonly string[] Folders = ["Contracts", "Secrets", "Storage", "Gateway", "Ledger", "Saga", "Intake", "Recovery", "Hosting"];

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_folder_uses_only_the_folders_below_it(string folder, string[] mayUse)
    {
        var forbidden = Folders.Where(f => f != folder && !mayUse.Contains(f)).ToArray();

        Assert.NotEmpty(Types().That().ResideInNamespace($"Payments.{folder}").GetObjects(Core));
        Types().That().ResideInNamespace($"Payments.{folder}")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($@"^Payments\.({string.Join('|', forbidden)})$"))
            .Check(Core);
    }

    [Fact]
    public void Every_core_type_lives_in_one_of_the_folders()
    {
        var strays = Types().GetObjects(Core)
            .Where(t => t.Namespace.FullName.StartsWith("Payments", StringComparison.Ordinal))
            .Where(t => !Folders.Any(f => t.Namespace.FullName == $"Payments.{f}"))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(strays);
    }

    [Fact]
    public void The_core_does_not_depend_on_a_web_framework()
    {
        var references = typeof(PaymentsServices).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
