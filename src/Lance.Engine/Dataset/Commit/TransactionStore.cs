using Google.Protobuf;
using Lance.Engine.Format;
using Lance.Engine.Storage;
using PbTable = Lance.Engine.Format.Protos.Table;

namespace Lance.Engine.Dataset;

/// <summary>
/// The <c>_transactions/</c> folder of a dataset's object store: each commit's transaction as an
/// object named <c>&lt;read_version&gt;-&lt;uuid&gt;.txn</c> (Lance's naming), which the manifest's
/// <c>transaction_file</c> names; and reading the transactions of versions other writers committed.
/// </summary>
internal sealed class TransactionStore(IObjectStore store, string location)
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
    public async Task<string> WriteAsync(PbTable.Transaction transaction, CancellationToken cancellationToken)
    {
        var name = FileName(transaction);
        await store.PutAsync(Folder + "/" + name, transaction.ToByteArray(), cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Removes a transaction file no version will name (its commit failed); best effort.</summary>
    public async Task TryDeleteAsync(string name)
    {
        try
        {
            await store.DeleteAsync(Folder + "/" + name, CancellationToken.None).ConfigureAwait(false);
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
    public async Task<PbTable.Transaction?> ReadAsync(Manifest manifest, CancellationToken cancellationToken)
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

        var key = Folder + "/" + manifest.TransactionFile;
        if (await store.HeadAsync(key, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        try
        {
            return PbTable.Transaction.Parser.ParseFrom(await CommitLog.ReadAllAsync(store, key, cancellationToken).ConfigureAwait(false));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new LanceFormatException($"The transaction file '{key}' of '{location}' (version {manifest.Version}) cannot be parsed.", e);
        }
    }
}
