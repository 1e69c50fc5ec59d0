namespace Lance.Engine.Search.Kernels;

/// <summary>
/// Work to run with the metric and the width as type parameters; <see cref="DistanceDispatch"/>
/// picks both once and calls <see cref="Run{TDistance, TWidth}"/>. A job is usually a ref struct
/// holding the spans and arguments of one kernel call.
/// </summary>
internal interface IDistanceJob
{
    /// <summary>Runs the work, compiled for this metric and width.</summary>
    void Run<TDistance, TWidth>()
        where TDistance : IDistance
        where TWidth : IKernelWidth;
}
