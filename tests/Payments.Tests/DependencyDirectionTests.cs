using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Payments.Hosting;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Payments.Tests;

/// <summary>
/// The core's folders depend on each other one way only: shared records and secrets, then storage
/// adapters, then gateway (the port and its connectors, one folder each) and ledgers, then the saga,
/// then intake and recovery, then the operator console's read and action side (Operations), then the composition root. A folder may use the ones below it, never one
/// beside or above it.
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
        { "Intake", ["Contracts", "Secrets", "Storage", "Gateway", "Ledger", "Saga"] },
        { "Recovery", ["Contracts", "Storage", "Gateway", "Ledger", "Saga"] },
        { "Operations", ["Contracts", "Storage", "Ledger", "Saga", "Recovery"] },
        { "Hosting", ["Contracts", "Secrets", "Storage", "Gateway", "Ledger", "Saga", "Intake", "Recovery", "Operations"] },
    };

    private static readonly string[] Folders = ["Contracts", "Secrets", "Storage", "Gateway", "Ledger", "Saga", "Intake", "Recovery", "Operations", "Hosting"];

    // One folder per gateway connector under Gateway/ (namespace Payments.Gateway.{Name}).
    private static readonly string[] ConnectorFolders = ["Simulator", "Stripe", "WeChatPay", "Alipay", "Adyen"];

    public static readonly TheoryData<string> Connectors = new(ConnectorFolders);

    /// <summary>A folder's own namespace and, for Gateway, its connectors' namespaces below it.</summary>
    private static string InFolder(string folder) => $@"^Payments\.{folder}(\..+)?$";

    [Theory]
    [MemberData(nameof(Layers))]
    public void A_folder_uses_only_the_folders_below_it(string folder, string[] mayUse)
    {
        var forbidden = Folders.Where(f => f != folder && !mayUse.Contains(f)).ToArray();

        Assert.NotEmpty(Types().That().ResideInNamespaceMatching(InFolder(folder)).GetObjects(Core));
        Types().That().ResideInNamespaceMatching(InFolder(folder))
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($@"^Payments\.({string.Join('|', forbidden)})(\..+)?$"))
            .Check(Core);
    }

    /// <summary>
    /// Connectors sit at the Gateway layer, one folder each under Gateway/: a connector may use the
    /// port (Gateway itself), Contracts and Secrets, never another connector — so adding or removing
    /// one touches only its folder, its settings and its registration line.
    /// </summary>
    [Theory]
    [MemberData(nameof(Connectors))]
    public void A_connector_uses_no_other_connector(string connector)
    {
        var others = ConnectorFolders.Where(c => c != connector).ToArray();

        Assert.NotEmpty(Types().That().ResideInNamespace($"Payments.Gateway.{connector}").GetObjects(Core));
        Types().That().ResideInNamespace($"Payments.Gateway.{connector}")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching($@"^Payments\.Gateway\.({string.Join('|', others)})$"))
            .Check(Core);
    }

    [Fact]
    public void The_port_depends_on_no_connector()
    {
        Types().That().ResideInNamespace("Payments.Gateway")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Payments\.Gateway\..+$"))
            .Check(Core);
    }

    [Fact]
    public void Only_the_composition_root_names_a_connector()
    {
        Types().That().ResideInNamespaceMatching(@"^Payments\.(Contracts|Secrets|Storage|Ledger|Saga|Intake|Recovery)$")
            .Should().NotDependOnAny(Types().That().ResideInNamespaceMatching(@"^Payments\.Gateway\..+$"))
            .Check(Core);
    }

    [Fact]
    public void Every_core_type_lives_in_one_of_the_folders()
    {
        var strays = Types().GetObjects(Core)
            .Where(t => t.Namespace.FullName.StartsWith("Payments", StringComparison.Ordinal))
            .Where(t => !Folders.Any(f => t.Namespace.FullName == $"Payments.{f}")
                && !ConnectorFolders.Any(c => t.Namespace.FullName == $"Payments.Gateway.{c}"))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(strays);
    }

    /// <summary>
    /// Table queries filter with strings (<c>TableClient.CreateQueryFilter</c>), never with expression
    /// trees: the Tables client compiles a LINQ filter's captured values into a dynamic method on every
    /// call, JIT work and a finalizer for each registration's nudge (note 47).
    /// </summary>
    [Fact]
    public void The_core_builds_no_expression_trees()
    {
        // A lambda converted to an expression tree compiles to calls of Expression's factory methods.
        using var file = File.OpenRead(typeof(PaymentsServices).Assembly.Location);
        using var pe = new PEReader(file);
        var metadata = pe.GetMetadataReader();
        var expressionMembers = metadata.MemberReferences
            .Select(metadata.GetMemberReference)
            .Where(m => m.Parent.Kind == HandleKind.TypeReference
                && metadata.GetString(metadata.GetTypeReference((TypeReferenceHandle)m.Parent).Namespace) == "System.Linq.Expressions")
            .Select(m => metadata.GetString(m.Name))
            .Distinct();

        Assert.Empty(expressionMembers);
    }

    [Fact]
    public void The_core_does_not_depend_on_a_web_framework()
    {
        var references = typeof(PaymentsServices).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
