namespace Lance.Engine.Dataset;

/// <summary>
/// Told about the steps of every commit attempt a dataset makes, so that a test can pause a writer
/// there (or have it killed there) and check that no step leaves a dataset half-written. Passed in
/// through <see cref="DatasetOpenOptions.CommitObserver"/> or <see cref="DatasetWriteOptions.CommitObserver"/>
/// and kept by that dataset instance only: there is no process-wide hook.
/// </summary>
/// <remarks>Called on the committing thread; an exception thrown here fails the commit before anything is published.</remarks>
internal interface ICommitObserver
{
    /// <summary>Before each attempt to commit <paramref name="version"/> (the manifest is built, nothing is written yet).</summary>
    void BeforeAttempt(ulong version);

    /// <summary>After the attempt's transaction file is written and before its manifest is published.</summary>
    void BeforePublish(ulong version);
}
