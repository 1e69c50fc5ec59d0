using Lance.Engine.Format;
using Google.Protobuf;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Dataset;

/// <summary>
/// The <c>_transactions/</c> folder: each commit's transaction as a file named
/// <c>&lt;read_version&gt;-&lt;uuid&gt;.txn</c> (Lance's naming), which the manifest's
/// <c>transaction_file</c> names; and reading the transactions of versions other writers committed.
/// </summary>
internal static class TransactionStore
{
    /// <summary>The folder of transaction files under a dataset.</summary>
    public const string Folder = "_transactions";

    /// <summary>The file name Lance gives a transaction.</summary>
    public static string FileName(PbTable.Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return $"{transaction.ReadVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{transaction.Uuid}.txn";
    }

    /// <summary>Writes the transaction's file (replacing one of an earlier attempt of the same transaction); returns its name.</summary>
    public static string Write(string datasetPath, PbTable.Transaction transaction)
    {
        var name = FileName(transaction);
        var folder = Path.Combine(datasetPath, Folder);
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, name), transaction.ToByteArray());
        return name;
    }

    /// <summary>Removes a transaction file no version will name (its commit failed); best effort.</summary>
    public static void TryDelete(string datasetPath, string name)
    {
        try
        {
            File.Delete(Path.Combine(datasetPath, Folder, name));
        }
        catch (IOException)
        {
            // Left for cleanup: a transaction file no manifest names is never read.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>
    /// The transaction that made <paramref name="manifest"/>: the one inline in its file, else its
    /// transaction file; null when it has neither (an old writer, or one that records none).
    /// </summary>
    /// <exception cref="LanceFormatException">The transaction file exists but cannot be parsed.</exception>
    public static PbTable.Transaction? Read(string datasetPath, Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.InlineTransaction is { } inline)
        {
            return inline;
        }

        if (manifest.TransactionFile.Length == 0)
        {
            return null;
        }

        var path = Path.Combine(datasetPath, Folder, manifest.TransactionFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return PbTable.Transaction.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"The transaction file '{path}' of version {manifest.Version} cannot be parsed.", e);
        }
    }
}
