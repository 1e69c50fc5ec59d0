using System.Diagnostics;
using System.Text.Json;
using Apache.Arrow;

namespace Lance.Bench;

/// <summary>What every side-by-side benchmark shares: running a Node peer script, and medians.</summary>
public static class BenchSupport
{
    /// <summary>
    /// Reads every file under <paramref name="folder"/> once, so a benchmark's searches find the table in the
    /// operating system's page cache whichever side runs first (both sides read the same files through the same
    /// cache; without this the first side searched pays the disk reads of rows nothing has read yet).
    /// </summary>
    public static void WarmPageCache(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        var buffer = new byte[1 << 20];
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            while (stream.Read(buffer) > 0)
            {
            }
        }
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    /// <summary>
    /// Runs <c>tools/lancedb-peer/<paramref name="script"/></c> with <paramref name="args"/> (passed as a
    /// JSON file, so any size works) and returns the JSON document it prints.
    /// </summary>
    /// <exception cref="InvalidOperationException">The script failed; the message holds its stderr.</exception>
    public static JsonElement Node(string script, object args)
    {
        var peer = PeerDirectory();
        var argsFile = Path.GetTempFileName();
        File.WriteAllText(argsFile, JsonSerializer.Serialize(args));
        try
        {
            var start = new ProcessStartInfo("node", [Path.Combine(peer, script), "@" + argsFile])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = peer,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"node {script} failed: {stderr.Result}");
            }

            return JsonDocument.Parse(stdout.Result).RootElement.Clone();
        }
        finally
        {
            File.Delete(argsFile);
        }
    }

    /// <summary>The folder of the Node peer (tools/lancedb-peer) with its packages installed.</summary>
    public static string PeerDirectory()
    {
        // The build installs the peer (npm ci) and records where; a copied build output falls back to a search upwards.
        var built = typeof(BenchSupport).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "LanceDbPeerDir")?.Value;
        if (built is not null && Directory.Exists(Path.Combine(built, "node_modules")))
        {
            return built;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "lancedb-peer");
            if (Directory.Exists(Path.Combine(candidate, "node_modules")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tools/lancedb-peer/node_modules not found: build bench/Lance.Bench (its build runs 'npm ci' there), or run 'npm ci' in tools/lancedb-peer.");
    }

    // Reads every value a scan returns, as a consumer would: vectors summed with SIMD (all their
    // bytes are read), ids summed, text lengths taken from the offsets.
    public static double Consume(RecordBatch batch)
    {
        double total = 0;
        for (var c = 0; c < batch.ColumnCount; c++)
        {
            switch (batch.Column(c))
            {
                case FixedSizeListArray vectors:
                    var values = Lance.Engine.Arrow.ArrowTake.FlatValues(vectors);
                    var width = ((Apache.Arrow.Types.FixedSizeListType)vectors.Data.DataType).ListSize;
                    if (values.Length != vectors.Length * width)
                    {
                        throw new InvalidOperationException($"a batch of {vectors.Length} vectors exposes {values.Length} floats");
                    }

                    total += System.Numerics.Tensors.TensorPrimitives.Sum(values);
                    break;
                case Int64Array ids:
                    foreach (var id in ids.Values)
                    {
                        total += id;
                    }

                    break;
                case StringArray texts:
                    total += texts.ValueOffsets[^1] - texts.ValueOffsets[0];
                    break;
            }
        }

        return total;
    }
}
