namespace Lance.Engine.Dataset;

/// <summary>
/// A commit conflict that running the whole operation again on the newest version resolves (another
/// writer changed the rows it changes): Lance's <c>RetryableCommitConflict</c>. Operations that can
/// be re-run (delete, update, merge-insert, compaction) catch it and do so; elsewhere
/// it reaches the caller as a <see cref="LanceCommitConflictException"/>.
/// </summary>
internal sealed class RetryableCommitConflictException : LanceCommitConflictException
{
    public RetryableCommitConflictException(string message) : base(message) { }
}
