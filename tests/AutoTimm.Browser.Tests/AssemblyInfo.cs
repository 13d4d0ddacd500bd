// One browser serves every test, and libtorch's state is process-wide: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
