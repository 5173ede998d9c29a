using Hermes.Data;

namespace Hermes.DependencyInjection;

/// <summary>A dataset of your own as <see cref="HermesDatasetOptions.Declare"/> added it to a task catalog.</summary>
/// <param name="Declaration">Its declaration (name, modality, label values and their tasks).</param>
/// <param name="Source">Where its cases are listed (<see cref="IDatasetSource.ListCases"/>).</param>
/// <param name="NewTasks">The tasks it appended to the vocabulary (its labels that share an existing task are not among them).</param>
/// <param name="NewModalities">The modality it appended to the vocabulary, or none when the vocabulary knew it.</param>
public sealed record DeclaredDataset(DatasetDeclaration Declaration, IDatasetSource Source, IReadOnlyList<string> NewTasks, IReadOnlyList<string> NewModalities);
