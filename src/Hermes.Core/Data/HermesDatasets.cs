namespace Hermes.Data;

/// <summary>The built-in catalog of the Hermes paper (hermes-reference.md §8).</summary>
internal static class HermesDatasets
{
    private static readonly string[] Amos =
    [
        "spleen", "right_kidney", "left_kidney", "gallbladder", "esophagus", "liver", "stomach", "aorta",
        "inferior_vena_cava", "pancreas", "right_adrenal_gland", "left_adrenal_gland", "duodenum", "bladder", "prostate_uterus",
    ];

    private static readonly string[] Bcv =
    [
        "spleen", "right_kidney", "left_kidney", "gallbladder", "esophagus", "liver", "stomach", "aorta",
        "inferior_vena_cava", "portal_splenic_vein", "pancreas", "right_adrenal_gland", "left_adrenal_gland",
    ];

    private static readonly string[] StructSegOar = ["left_lung", "right_lung", "spinal_cord", "esophagus", "heart", "trachea"];

    private static readonly string[] StructSegHeadOar =
    [
        "brainstem", "left_eye", "right_eye", "left_lens", "right_lens", "left_optic_nerve", "right_optic_nerve", "optic_chiasm",
        "left_temporal_lobe", "right_temporal_lobe", "pituitary", "left_parotid", "right_parotid", "left_inner_ear",
        "right_inner_ear", "left_middle_ear", "right_middle_ear", "left_tmj", "right_tmj", "spinal_cord", "left_mandible",
        "right_mandible",
    ];

    /// <summary>Task groups in global-id order: (task prefix, names, first id).</summary>
    private static readonly (string Prefix, string[] Names, int FirstId)[] TaskBlocks =
    [
        ("lits", ["liver", "tumor"], 0),
        ("kits", ["kidney", "tumor"], 2),
        ("amos", Amos, 4),
        ("bcv", Bcv, 19),
        ("structseg_oar", StructSegOar, 32),
        ("chaos", ["liver", "right_kidney", "left_kidney", "spleen"], 38),
        ("structseg_head_oar", StructSegHeadOar, 42),
        ("mnm", ["lv_cavity", "myocardium", "rv"], 64),
        ("brain_structure", ["grey_matter", "white_matter", "csf"], 67),
        ("autopet", ["lesion"], 70),
    ];

    public static TaskCatalog Create()
    {
        var vocabulary = new TaskVocabulary();
        foreach (var m in new[] { "CT", "PET", "T1-MRI", "T2-MRI", "cine-MRI" })
        {
            vocabulary.AddModality(m);
        }

        foreach (var (prefix, names, first) in TaskBlocks)
        {
            for (var i = 0; i < names.Length; i++)
            {
                var id = vocabulary.AddTask($"{prefix}/{names[i]}");
                if (id != first + i)
                {
                    throw new InvalidOperationException($"Built-in task '{prefix}/{names[i]}' got id {id}, expected {first + i}.");
                }
            }
        }

        var catalog = new TaskCatalog(vocabulary);
        Add(catalog, "amos_ct", ["CT"], "amos", Amos, 1.8, 0.1);
        Add(catalog, "amos_mr", [TaskVocabulary.UnknownModality], "amos", Amos[..13], 1.6, 0.2);
        Add(catalog, "bcv", ["CT"], "bcv", Bcv, 1.5, 0.1);
        Add(catalog, "structseg_oar", ["CT"], "structseg_oar", StructSegOar, 0.7, 0.1);
        Add(catalog, "structseg_head_oar", ["CT"], "structseg_head_oar", StructSegHeadOar, 2.6, 0.1);
        Add(catalog, "lits", ["CT"], "lits", ["liver", "tumor"], 0.3, 0.1);
        Add(catalog, "kits", ["CT"], "kits", ["kidney", "tumor"], 0.3, 0.1);
        Add(catalog, "chaos", ["T1-MRI", "T2-MRI"], "chaos", ["liver", "right_kidney", "left_kidney", "spleen"], 0.5, 0.2);
        Add(catalog, "mnm", ["cine-MRI"], "mnm", ["lv_cavity", "myocardium", "rv"], 0.3, 0.2);
        Add(catalog, "brain_structure", ["T1-MRI"], "brain_structure", ["grey_matter", "white_matter", "csf"], 0.4, 0.1);
        Add(catalog, "autopet", ["PET"], "autopet", ["lesion"], 0.1, 0.1);
        if (vocabulary.Tasks.Count != 71)
        {
            throw new InvalidOperationException($"Built-in catalog has {vocabulary.Tasks.Count} tasks, expected 71.");
        }

        return catalog;
    }

    private static void Add(TaskCatalog catalog, string name, string[] modalities, string prefix, string[] names, double weight, double intensityP) =>
        catalog.Add(new DatasetDeclaration
        {
            Name = name,
            Modalities = modalities,
            Labels = [.. names.Select((n, i) => new LabelDeclaration(i + 1, $"{prefix}/{n}"))],
            SampleWeight = weight,
            IntensityAugmentationProbability = intensityP,
        });
}
