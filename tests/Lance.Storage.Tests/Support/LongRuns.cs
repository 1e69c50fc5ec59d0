namespace Lance.Storage.Tests.Support;

/// <summary>
/// How many rounds the soak tests run: a bounded number in CI, the full count the issue asks for
/// when <c>LANCE_STORAGE_LONG=1</c> is set (run those by hand; they take minutes).
/// </summary>
public static class LongRuns
{
    /// <summary>Whether <c>LANCE_STORAGE_LONG=1</c> asks for the full runs.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable("LANCE_STORAGE_LONG") == "1";

    /// <summary><paramref name="full"/> in a long run, else <paramref name="ci"/>.</summary>
    public static int Rounds(int ci, int full) => Enabled ? full : ci;
}
