namespace Hermes.IO.MetaImage;

/// <summary>MetaImage: detected by a first line starting with a MetaIO tag (<c>ObjectType</c>, <c>NDims</c>, <c>Comment</c>…).</summary>
public sealed class MetaImageFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "MetaImage";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".mha", ".mhd"];

    /// <inheritdoc />
    public IVolumeReader Reader { get; } = new MetaImageReader();

    /// <inheritdoc />
    public IVolumeWriter? Writer { get; } = new MetaImageWriter();

    /// <inheritdoc />
    public bool IsMatch(ReadOnlySpan<byte> header) =>
        header.StartsWith("ObjectType"u8) || header.StartsWith("NDims"u8) || header.StartsWith("Comment"u8) || header.StartsWith("ObjectSubType"u8);
}
