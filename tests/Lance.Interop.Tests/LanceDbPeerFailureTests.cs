namespace Lance.Interop.Tests;

/// <summary>When the peer cannot answer, tests fail with a reason one can act on; they never skip.</summary>
public sealed class LanceDbPeerFailureTests
{
    [Fact]
    public async Task A_script_that_fails_throws_with_nodes_stderr_in_the_message()
    {
        using var empty = TempCopy.Empty();

        var e = await Assert.ThrowsAsync<LanceDbPeerException>(() => LanceDbPeer.Default.ScanAsync(empty.Path, "no_such_table"));

        Assert.Equal(1, e.ExitCode);
        Assert.Contains("no_such_table", e.StandardError, StringComparison.Ordinal);
        Assert.Contains(e.StandardError.Trim(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_node_executable_throws_with_install_instructions()
    {
        var peer = new LanceDbPeer(LanceDbPeer.Default.PeerDirectory, nodeExecutable: "no-such-node-" + Guid.NewGuid().ToString("N"));

        var e = await Assert.ThrowsAsync<LanceDbPeerException>(() => peer.CountAsync("db", "t"));

        Assert.Contains("Node.js", e.Message, StringComparison.Ordinal);
        Assert.Null(e.ExitCode);
    }

    [Fact]
    public async Task A_missing_node_modules_folder_throws_with_npm_ci_instructions()
    {
        using var empty = TempCopy.Empty();
        var peer = new LanceDbPeer(empty.Path);

        var e = await Assert.ThrowsAsync<LanceDbPeerException>(() => peer.CountAsync("db", "t"));

        Assert.Contains("npm ci", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_that_runs_too_long_is_killed_and_reported()
    {
        var peer = new LanceDbPeer(LanceDbPeer.Default.PeerDirectory) { Timeout = TimeSpan.FromMilliseconds(1) };

        var e = await Assert.ThrowsAsync<LanceDbPeerException>(() => peer.CountAsync("db", "t"));

        Assert.Contains("did not finish", e.Message, StringComparison.Ordinal);
    }
}
