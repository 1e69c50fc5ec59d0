using System.Runtime.CompilerServices;

namespace Lance.Orm.Generators.Tests.Infrastructure;

/// <summary>
/// Golden-file comparison: <c>Snapshots/&lt;name&gt;.verified.cs</c> beside the test holds the
/// reviewed output. On a mismatch the actual output goes to <c>&lt;name&gt;.received.cs</c> and the
/// test fails; review it and rename it to accept it (or run with LANCE_ACCEPT_SNAPSHOTS=1).
/// </summary>
internal static class Snapshot
{
    public static void Match(string actual, string name, [CallerFilePath] string callerPath = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        var verified = Path.Combine(folder, name + ".verified.cs");
        var received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);

        if (Environment.GetEnvironmentVariable("LANCE_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n", StringComparison.Ordinal) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        var detail = expected is null ? "there is no verified file yet" : FirstDifference(expected, actual);
        Assert.Fail(
            $"Generated code for '{name}' does not match its snapshot: {detail}.{Environment.NewLine}" +
            $"Received: {received}{Environment.NewLine}Verified: {verified}{Environment.NewLine}" +
            "Review the received file; if it is right, rename it to .verified.cs (or rerun with LANCE_ACCEPT_SNAPSHOTS=1).");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1} differs{Environment.NewLine}  verified: {el}{Environment.NewLine}  received: {al}";
            }
        }

        return "they differ";
    }
}
