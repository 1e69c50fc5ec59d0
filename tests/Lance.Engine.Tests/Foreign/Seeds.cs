namespace Lance.Engine.Tests.Foreign;

/// <summary>
/// Small files LanceDB 0.31.0 wrote (see <c>seeds/README.md</c>): data files of formats 2.0, 2.1
/// and 2.2 with its compressive encodings, a ZSTD Arrow and a Roaring deletion file, and manifests
/// with index and transaction sections and V1 names. They let the engine tests check the decoders
/// on LanceDB's own bytes without Node, and seed the fuzzer.
/// </summary>
internal static class Seeds
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Foreign", "seeds");

    public static string File(string name) => Path.Combine(Root, name);

    public static byte[] Bytes(string name) => System.IO.File.ReadAllBytes(File(name));

    public static IReadOnlyList<string> DataFiles => [.. Directory.GetFiles(Root, "*.lance").Select(Path.GetFileName).Order()!];

    public static IReadOnlyList<string> Manifests => [.. Directory.GetFiles(Root, "*.manifest").Select(Path.GetFileName).Order()!];

    // The generators of tools/lancedb-peer/make-corpus.mjs, for the rows of the seeds: each data file
    // is one of its table's two fragments, rows 0 to 549 or 550 to 1099.
    public const int Rows = 550;

    /// <summary>The id of the first row of a seed data file (0 or 550), read from the file itself.</summary>
    public static int FirstId(string seed)
    {
        using var reader = Lance.Engine.DataFiles.DataFileReader.FromBytes(Bytes(seed), seed);
        return (int)((Apache.Arrow.Int64Array)reader.Read(["id"]).Column(0)).GetValue(0)!.Value;
    }

    public static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];

    public static bool Null(int row, int every) => row % every == 3;
}
