using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lance.Interop.Tests;

/// <summary>
/// Drives the real LanceDB (Node, <c>tools/lancedb-peer</c>): runs one of its scripts with JSON
/// arguments on stdin and parses the one JSON document it prints. A script that fails, times out,
/// or cannot run (no Node.js, no <c>node_modules</c>) throws <see cref="LanceDbPeerException"/>
/// with the reason and Node's stderr: interop tests fail loudly, they never skip.
/// </summary>
/// <remarks>
/// LanceDB may add files to a database folder it connects to (e.g. <c>__manifest/</c>): give it a
/// copy of a dataset (<see cref="TempCopy"/>), never a fixture or a dataset under test in place.
/// </remarks>
public sealed class LanceDbPeer
{
    private static readonly Lazy<LanceDbPeer> DefaultPeer = new(() => new LanceDbPeer(PeerDirectoryFromBuild()));

    private static readonly JsonSerializerOptions ArgsOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Creates a peer over a <c>tools/lancedb-peer</c> folder.</summary>
    public LanceDbPeer(string peerDirectory, string nodeExecutable = "node")
    {
        PeerDirectory = Path.GetFullPath(peerDirectory);
        NodeExecutable = nodeExecutable;
    }

    /// <summary>The peer that the test build installed (assembly metadata <c>LanceDbPeerDir</c>).</summary>
    public static LanceDbPeer Default => DefaultPeer.Value;

    /// <summary>The folder holding the scripts and their <c>node_modules</c>.</summary>
    public string PeerDirectory { get; }

    /// <summary>The Node.js executable (looked up on PATH when not a path).</summary>
    public string NodeExecutable { get; }

    /// <summary>How long one script may run before it is killed (default 2 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <paramref name="script"/> (e.g. <c>"scan.mjs"</c> or <c>"scan"</c>) with <paramref name="args"/>
    /// serialized as camelCase JSON (null properties left out) and returns the JSON it printed.
    /// </summary>
    public async Task<JsonDocument> RunAsync(string script, object args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(args);
        var scriptName = script.EndsWith(".mjs", StringComparison.Ordinal) ? script : script + ".mjs";
        var scriptPath = Path.Combine(PeerDirectory, scriptName);
        EnsureInstalled(scriptPath);

        var start = new ProcessStartInfo(NodeExecutable)
        {
            WorkingDirectory = PeerDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(scriptPath);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new LanceDbPeerException(
                $"Node.js ('{NodeExecutable}') could not be started: {e.Message}. The interop tests need Node.js 18 or newer "
                + "on PATH; install it, then build tests/Lance.Interop.Tests again (the build runs `npm ci` in tools/lancedb-peer).",
                scriptName, exitCode: null, standardError: "", e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(JsonSerializer.Serialize(args, ArgsOptions).AsMemory(), timeout.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Node quit before reading its arguments: its exit code and stderr below say why.
            }

            await process.WaitForExitAsync(timeout.Token);
            await Task.WhenAll(stdout, stderr);
        }
        catch (OperationCanceledException e)
        {
            KillQuietly(process);
            cancellationToken.ThrowIfCancellationRequested();
            var soFar = stderr.IsCompletedSuccessfully ? stderr.Result : "";
            throw new LanceDbPeerException(
                $"node {scriptName} did not finish within {Timeout.TotalSeconds:0.###} s and was killed. {soFar.Trim()}",
                scriptName, exitCode: null, soFar, e);
        }

        if (process.ExitCode != 0)
        {
            throw new LanceDbPeerException(
                $"node {scriptName} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}",
                scriptName, process.ExitCode, stderr.Result);
        }

        try
        {
            return JsonDocument.Parse(stdout.Result);
        }
        catch (JsonException e)
        {
            throw new LanceDbPeerException(
                $"node {scriptName} printed something that is not one JSON document: {e.Message}",
                scriptName, process.ExitCode, stderr.Result, e);
        }
    }

    /// <summary>Reads a table (all rows, or <paramref name="columns"/> / rows matching the SQL <paramref name="filter"/>).</summary>
    public async Task<PeerScan> ScanAsync(
        string dbPath, string table, IReadOnlyList<string>? columns = null, string? filter = null,
        long? version = null, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync("scan", new { db = Path.GetFullPath(dbPath), table, columns, filter, version }, cancellationToken);
        var root = doc.RootElement;
        return new PeerScan(
            root.GetProperty("version").GetInt64(),
            root.GetProperty("rowCount").GetInt64(),
            [.. root.GetProperty("schema").EnumerateArray().Select(f => new PeerField(
                f.GetProperty("name").GetString()!, f.GetProperty("type").GetString()!, f.GetProperty("nullable").GetBoolean()))],
            root.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            ReadRows(root));
    }

    /// <summary>
    /// LanceDB's <c>vectorSearch(vector).distanceType(metric).limit(k)</c>, rows ordered by <c>_distance</c>.
    /// Metric <c>"l2"</c> reports the squared Euclidean distance, <c>"cosine"</c> 1 − cos, <c>"dot"</c> 1 − a·b.
    /// <c>column</c> names the vector column when the table has several.
    /// </summary>
    public async Task<PeerSearch> SearchAsync(
        string dbPath, string table, float[] vector, int k, string metric = "l2", IReadOnlyList<string>? columns = null,
        string? filter = null, string? column = null, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync(
            "search", new { db = Path.GetFullPath(dbPath), table, vector, k, metric, columns, filter, column }, cancellationToken);
        return new PeerSearch(ReadRows(doc.RootElement));
    }

    /// <summary>The versions LanceDB lists for a table, and the one it opens by default.</summary>
    public async Task<PeerVersions> VersionsAsync(string dbPath, string table, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync("versions", new { db = Path.GetFullPath(dbPath), table }, cancellationToken);
        var root = doc.RootElement;
        return new PeerVersions(
            root.GetProperty("current").GetInt64(),
            [.. root.GetProperty("versions").EnumerateArray().Select(v => new PeerVersion(
                v.GetProperty("version").GetInt64(),
                DateTimeOffset.Parse(v.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                v.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())))]);
    }

    /// <summary><c>countRows(filter)</c>, at the latest version or at <paramref name="version"/>.</summary>
    public async Task<long> CountAsync(
        string dbPath, string table, string? filter = null, long? version = null, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync("count", new { db = Path.GetFullPath(dbPath), table, filter, version }, cancellationToken);
        return doc.RootElement.GetProperty("count").GetInt64();
    }

    /// <summary>The table names LanceDB finds in a database folder.</summary>
    public async Task<IReadOnlyList<string>> TableNamesAsync(string dbPath, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync("tables", new { db = Path.GetFullPath(dbPath) }, cancellationToken);
        return [.. doc.RootElement.GetProperty("tables").EnumerateArray().Select(t => t.GetString()!)];
    }

    /// <summary>Has LanceDB write a table from the rows of an Arrow IPC file; returns the rows and version it reports.</summary>
    /// <remarks><paramref name="storageVersion"/> (<c>"legacy"</c>, <c>"2.0"</c>, <c>"2.1"</c>, <c>"2.2"</c>) picks the file format; LanceDB's default when null.</remarks>
    public async Task<(long Rows, long Version)> CreateTableAsync(
        string dbPath, string table, string ipcPath, bool overwrite = false, string? storageVersion = null, CancellationToken cancellationToken = default)
    {
        using var doc = await RunAsync(
            "create",
            new { db = Path.GetFullPath(dbPath), table, ipc = Path.GetFullPath(ipcPath), mode = overwrite ? "overwrite" : "create", storageVersion },
            cancellationToken);
        return (doc.RootElement.GetProperty("rows").GetInt64(), doc.RootElement.GetProperty("version").GetInt64());
    }

    private static List<PeerRow> ReadRows(JsonElement root) =>
        [.. root.GetProperty("rows").EnumerateArray().Select(r => new PeerRow(
            r.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())))];

    private void EnsureInstalled(string scriptPath)
    {
        if (!File.Exists(Path.Combine(PeerDirectory, "node_modules", "@lancedb", "lancedb", "package.json")))
        {
            throw new LanceDbPeerException(
                $"LanceDB for Node is not installed in {PeerDirectory}. Run `npm ci` there (building "
                + "tests/Lance.Interop.Tests does it when node_modules is missing; it needs Node.js 18+ and npm).",
                Path.GetFileName(scriptPath), exitCode: null, standardError: "");
        }

        if (!File.Exists(scriptPath))
        {
            throw new LanceDbPeerException(
                $"No peer script {scriptPath}.", Path.GetFileName(scriptPath), exitCode: null, standardError: "");
        }
    }

    private static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private static string PeerDirectoryFromBuild()
    {
        var dir = typeof(LanceDbPeer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LanceDbPeerDir")?.Value;
        return string.IsNullOrEmpty(dir)
            ? throw new LanceDbPeerException(
                "The test assembly has no LanceDbPeerDir metadata: build it with tests/Lance.Interop.Tests/Lance.Interop.Tests.csproj.",
                "", exitCode: null, standardError: "")
            : dir;
    }
}

/// <summary>A peer script could not run, failed, timed out or printed something unreadable.</summary>
public sealed class LanceDbPeerException : Exception
{
    public LanceDbPeerException(string message, string script, int? exitCode, string standardError, Exception? inner = null)
        : base(message, inner)
    {
        Script = script;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The script that was run, e.g. <c>scan.mjs</c>.</summary>
    public string Script { get; }

    /// <summary>Node's exit code; null when it did not run or was killed.</summary>
    public int? ExitCode { get; }

    /// <summary>Everything Node wrote to stderr.</summary>
    public string StandardError { get; }
}
