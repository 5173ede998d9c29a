using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Data;

/// <summary>
/// A dataset folder in the Medical Segmentation Decathlon / nnU-Net layout: <c>imagesTr/</c>, <c>labelsTr/</c> and an
/// optional <c>dataset.json</c>. With an MSD <c>training</c> list the pairs come from it; otherwise every label
/// <c>labelsTr/&lt;case&gt;.ext</c> is paired with <c>imagesTr/&lt;case&gt;.ext</c> or the nnU-Net channel files
/// <c>imagesTr/&lt;case&gt;_0000.ext</c>, <c>_0001</c>, …
/// </summary>
public sealed class DecathlonFolderSource : IDatasetSource
{
    private readonly string folder;
    private readonly string dataset;
    private readonly string? modality;

    /// <summary>Creates the source.</summary>
    /// <param name="folder">The dataset folder (holding <c>imagesTr</c> and <c>labelsTr</c>).</param>
    /// <param name="dataset">The dataset key its cases belong to in the <see cref="TaskCatalog"/>.</param>
    /// <param name="modality">The modality of every case, or <see langword="null"/> for the dataset's default.</param>
    public DecathlonFolderSource(string folder, string dataset, string? modality = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        this.folder = Path.GetFullPath(folder);
        this.dataset = dataset;
        this.modality = modality;
    }

    /// <inheritdoc />
    public IReadOnlyList<CaseReference> ListCases()
    {
        var images = Path.Combine(folder, "imagesTr");
        var labels = Path.Combine(folder, "labelsTr");
        foreach (var dir in new[] { images, labels })
        {
            if (!Directory.Exists(dir))
            {
                throw new DatasetFormatException($"Dataset '{dataset}': folder '{dir}' does not exist (expected the MSD/nnU-Net layout imagesTr/ + labelsTr/).", [dir]);
            }
        }

        var json = Path.Combine(folder, "dataset.json");
        var cases = File.Exists(json) ? FromTrainingList(json) : null;
        cases ??= FromFolders(images, labels);
        if (cases.Count == 0)
        {
            throw new DatasetFormatException($"Dataset '{dataset}': no image/label pairs found in '{folder}' (labelsTr/ is empty).", [labels]);
        }

        foreach (var c in cases)
        {
            foreach (var f in c.ImagePaths.Append(c.LabelPath))
            {
                if (!File.Exists(f))
                {
                    throw new DatasetFormatException($"Dataset '{dataset}', case '{c.CaseId}': file '{f}' does not exist.", [f]);
                }
            }
        }

        return cases;
    }

    private List<CaseReference>? FromTrainingList(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(json));
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException($"Dataset '{dataset}': '{json}' is not valid JSON ({ex.Message}).", [json], ex);
        }

        if (root?["training"] is not JsonArray training)
        {
            return null;
        }

        var result = new List<CaseReference>();
        foreach (var item in training)
        {
            var image = item?["image"]?.GetValue<string>();
            var label = item?["label"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(image) || string.IsNullOrWhiteSpace(label))
            {
                throw new DatasetFormatException($"Dataset '{dataset}': an entry of 'training' in '{json}' lacks 'image' or 'label': {item?.ToJsonString()}.", [json]);
            }

            var imagePath = Path.GetFullPath(Path.Combine(folder, image));
            var channels = File.Exists(imagePath) ? [imagePath] : ChannelFiles(Path.GetDirectoryName(imagePath)!, VolumeFileName.Stem(imagePath), VolumeFileName.Extension(imagePath));
            result.Add(new CaseReference(dataset, VolumeFileName.Stem(label), channels.Count > 0 ? channels : [imagePath], Path.GetFullPath(Path.Combine(folder, label)), modality));
        }

        return result;
    }

    private List<CaseReference> FromFolders(string images, string labels)
    {
        var result = new List<CaseReference>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in Directory.EnumerateFiles(labels).Where(f => VolumeFileName.IsVolume(f) && !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
        {
            var stem = VolumeFileName.Stem(label);
            var ext = VolumeFileName.Extension(label);
            var single = Path.Combine(images, stem + ext);
            var channels = File.Exists(single) ? [single] : ChannelFiles(images, stem, ext);
            if (channels.Count == 0)
            {
                throw new DatasetFormatException($"Dataset '{dataset}': label '{label}' has no image: expected '{single}' or '{Path.Combine(images, stem + "_0000" + ext)}'.", [label]);
            }

            used.UnionWith(channels);
            result.Add(new CaseReference(dataset, stem, channels, label, modality));
        }

        var orphan = Directory.EnumerateFiles(images).Where(f => VolumeFileName.IsVolume(f) && !Path.GetFileName(f).StartsWith('.') && !used.Contains(f)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (orphan is not null)
        {
            throw new DatasetFormatException($"Dataset '{dataset}': image '{orphan}' has no label in '{labels}'.", [orphan]);
        }

        return result;
    }

    private static List<string> ChannelFiles(string images, string stem, string ext)
    {
        var list = new List<string>();
        for (var c = 0; ; c++)
        {
            var f = Path.Combine(images, $"{stem}_{c:0000}{ext}");
            if (!File.Exists(f))
            {
                return list;
            }

            list.Add(f);
        }
    }
}
