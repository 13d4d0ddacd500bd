// libtorch's random generator, thread pool and grad mode are process-wide: tests that seed or time it must not
// interleave with others.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
