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

    /// <summary>
    /// Builds a dataset declaration from the folder's <c>dataset.json</c>: MSD labels (<c>{"1": "spleen"}</c>) or nnU-Net v2
    /// labels (<c>{"spleen": 1}</c>); each label becomes task <c>&lt;dataset&gt;/&lt;label name&gt;</c> (a name that holds a
    /// <c>/</c> is the task itself, see <see cref="DatasetDeclaration.TaskName"/>). The modality is
    /// <paramref name="modality"/> or else the first entry of <c>modality</c> / <c>channel_names</c>; it must be in the
    /// catalog's vocabulary when the declaration is added.
    /// </summary>
    /// <param name="modality">The modality name to use, or <see langword="null"/> to take it from the file.</param>
    /// <param name="sampleWeight">The dataset's sampling weight.</param>
    /// <returns>The declaration (register it with <see cref="TaskCatalog.Add"/>).</returns>
    /// <exception cref="DatasetFormatException">The file is missing or malformed (nnU-Net region labels are not supported).</exception>
    public DatasetDeclaration ReadDeclaration(string? modality = null, double sampleWeight = 1.0)
    {
        var json = Path.Combine(folder, "dataset.json");
        if (!File.Exists(json))
        {
            throw new DatasetFormatException($"Dataset '{dataset}': '{json}' does not exist; declare the dataset in code or in a catalog JSON file instead.", [json]);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(json));
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException($"Dataset '{dataset}': '{json}' is not valid JSON ({ex.Message}).", [json], ex);
        }

        if (root?["labels"] is not JsonObject labels)
        {
            throw new DatasetFormatException($"Dataset '{dataset}': '{json}' has no 'labels' object.", [json]);
        }

        var declared = new List<LabelDeclaration>();
        foreach (var (key, node) in labels)
        {
            int value;
            string name;
            if (int.TryParse(key, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var v) && node is JsonValue nameNode && nameNode.TryGetValue<string>(out var n))
            {
                (value, name) = (v, n);
            }
            else if (node is JsonValue valueNode && valueNode.TryGetValue<int>(out var v2))
            {
                (value, name) = (v2, key);
            }
            else
            {
                throw new DatasetFormatException($"Dataset '{dataset}': label entry \"{key}\": {node?.ToJsonString()} in '{json}' is neither MSD (\"1\": \"name\") nor nnU-Net v2 (\"name\": 1); region labels are not supported.", [json]);
            }

            if (value != 0)
            {
                declared.Add(new LabelDeclaration(value, DatasetDeclaration.TaskName(dataset, name)));
            }
        }

        var fileModality = (root["modality"] ?? root["channel_names"]) is JsonObject m && m.FirstOrDefault().Value is JsonValue mv && mv.TryGetValue<string>(out var ms) ? ms : null;
        var chosen = modality ?? fileModality ?? throw new DatasetFormatException($"Dataset '{dataset}': '{json}' names no modality ('modality' or 'channel_names'); pass one.", [json]);
        var declaration = new DatasetDeclaration { Name = dataset, Modalities = [chosen], Labels = [.. declared.OrderBy(l => l.Value)], SampleWeight = sampleWeight };
        try
        {
            declaration.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new DatasetFormatException($"'{json}': {ex.Message}", [json], ex);
        }

        return declaration;
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
