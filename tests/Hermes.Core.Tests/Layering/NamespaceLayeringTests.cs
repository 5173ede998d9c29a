using System.Reflection;
using Hermes.Runtime;
using NetArchTest.Rules;

namespace Hermes.Core.Tests.Layering;

/// <summary>
/// Hermes.Core's folders depend on each other in one direction, along the data flow (docs/architecture.md): a namespace
/// uses only namespaces of earlier stages, never a later one or a peer of its own stage. Read from the compiled assembly's
/// type references (NetArchTest, Mono.Cecil), so a <c>using</c> that is only in a comment does not count and a fully
/// qualified name does.
/// </summary>
public sealed class NamespaceLayeringTests
{
    /// <summary>The stages, earliest first; namespaces in one stage are peers.</summary>
    public static readonly string[][] Stages =
    [
        ["Runtime"],
        ["Volumes", "Operations"],
        ["IO"],
        ["Preprocessing"],
        ["Augmentation"],
        ["Data"],
        ["Abstractions"],
        ["Checkpoints"],
        ["Training", "Inference"],
        ["Transfer"],
        ["Metrics"],
        ["DependencyInjection"],
    ];

    private static readonly Assembly Core = typeof(HermesRuntime).Assembly;

    public static TheoryData<string> Namespaces => [.. Stages.SelectMany(s => s)];

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void NamespaceUsesNoLaterStageNorAPeer(string name)
    {
        var stage = Array.FindIndex(Stages, s => s.Contains(name));
        string[] forbidden = [.. Stages.Skip(stage).SelectMany(s => s).Where(n => n != name).Select(n => $"Hermes.{n}")];
        var result = Types.InAssembly(Core).That().ResideInNamespace($"Hermes.{name}").ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"Hermes.{name} (stage {stage}) uses a later stage or a peer ({string.Join(", ", forbidden)}): {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void EveryCoreNamespaceHasAStage()
    {
        var known = Stages.SelectMany(s => s).Select(n => $"Hermes.{n}").ToList();
        var unplaced = Core.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("Hermes.", StringComparison.Ordinal))
            .Distinct().Where(n => !known.Any(k => n == k || n.StartsWith(k + ".", StringComparison.Ordinal))).Order().ToList();
        Assert.True(unplaced.Count == 0, $"namespaces without a stage (add them to {nameof(Stages)} and docs/architecture.md): {string.Join(", ", unplaced)}");
    }
}
