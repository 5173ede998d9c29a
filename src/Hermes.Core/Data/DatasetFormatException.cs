namespace Hermes.Data;

/// <summary>A training dataset is unusable as given: a file is unreadable, an image and its label do not share a grid, a
/// label holds values its dataset does not declare, or a folder is empty. <see cref="Files"/> names the files involved.</summary>
public class DatasetFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the files, values and what was expected.</param>
    /// <param name="files">The files (or folders) involved.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DatasetFormatException(string message, IReadOnlyList<string> files, Exception? inner = null)
        : base(message, inner) => Files = files ?? [];

    /// <summary>The files or folders the problem is about.</summary>
    public IReadOnlyList<string> Files { get; }
}
