using System.Text.Json.Nodes;

namespace Payments.Infra.Tests;

/// <summary>main.bicep and the parameter files compiled once for all tests, plus the discovered settings contract.</summary>
public sealed class DeploymentFixture
{
    public const string MainTemplate = "infra/main.bicep";

    public static readonly IReadOnlyList<string> ParameterFiles = ["infra/main.dev.bicepparam", "infra/main.prod.bicepparam"];

    public DeploymentFixture()
    {
        Template = BicepCli.Build(MainTemplate);
        TemplateText = Template.ToJsonString();
        CompiledParameters = ParameterFiles.ToDictionary(f => f, BicepCli.BuildParams);
        Contract = AppSettingsContract.Discover();
    }

    public JsonObject Template { get; }

    public string TemplateText { get; }

    public IReadOnlyDictionary<string, JsonObject> CompiledParameters { get; }

    public AppSettingsContract Contract { get; }

    /// <summary>A copy to plant faults in, leaving the shared template untouched.</summary>
    public JsonObject TemplateCopy() => Template.DeepClone().AsObject();
}

[CollectionDefinition(Name)]
public sealed class DeploymentCollection : ICollectionFixture<DeploymentFixture>
{
    public const string Name = "compiled deployment";
}
