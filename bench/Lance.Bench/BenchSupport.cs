using System.Diagnostics;
using System.Text.Json;

namespace Lance.Bench;

/// <summary>What every side-by-side benchmark shares: running a Node peer script, and medians.</summary>
public static class BenchSupport
{
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
        var peer = FindPeer();
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

    private static string FindPeer()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tools", "lancedb-peer");
            if (Directory.Exists(Path.Combine(candidate, "node_modules")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tools/lancedb-peer/node_modules not found: run 'npm ci' in tools/lancedb-peer (or 'dotnet test' once).");
    }
}
