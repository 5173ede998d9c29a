namespace Hermes.Data;

/// <summary>Lists the training cases of one or more datasets (files only; nothing is read until preprocessing).</summary>
public interface IDatasetSource
{
    /// <summary>Lists the cases.</summary>
    /// <returns>The cases, in a stable order.</returns>
    /// <exception cref="DatasetFormatException">The source is missing, empty or inconsistent; the message names the file or folder.</exception>
    IReadOnlyList<CaseReference> ListCases();
}
