namespace AutoTimm.Interpretation;

/// <summary>Maximum flow on a directed graph with real capacities (Dinic's algorithm: BFS levels, blocking flows).</summary>
internal sealed class MaxFlow
{
    private readonly List<int>[] _adjacency;
    private readonly List<(int To, int Reverse)> _edges = [];
    private readonly List<double> _capacity = [];
    private readonly List<double> _original = [];
    private int[] _level = [];
    private int[] _next = [];

    public MaxFlow(int nodes)
    {
        _adjacency = new List<int>[nodes];
        for (int i = 0; i < nodes; i++) _adjacency[i] = [];
    }

    public void AddEdge(int from, int to, double capacity)
    {
        if (capacity <= 0) return;
        _adjacency[from].Add(_edges.Count);
        _edges.Add((to, _edges.Count + 1));
        _capacity.Add(capacity);
        _original.Add(capacity);
        _adjacency[to].Add(_edges.Count);
        _edges.Add((from, _edges.Count - 1));
        _capacity.Add(0);
        _original.Add(0);
    }

    /// <summary>Maximum flow from <paramref name="source"/> to <paramref name="sink"/>; capacities are reset first.</summary>
    public double Compute(int source, int sink)
    {
        for (int e = 0; e < _capacity.Count; e++) _capacity[e] = _original[e];
        double flow = 0;
        while (BuildLevels(source, sink))
        {
            _next = new int[_adjacency.Length];
            double pushed;
            while ((pushed = Push(source, sink, double.PositiveInfinity)) > 1e-15) flow += pushed;
        }
        return flow;
    }

    private bool BuildLevels(int source, int sink)
    {
        _level = Enumerable.Repeat(-1, _adjacency.Length).ToArray();
        var queue = new Queue<int>();
        _level[source] = 0;
        queue.Enqueue(source);
        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            foreach (int e in _adjacency[node])
            {
                var (to, _) = _edges[e];
                if (_level[to] < 0 && _capacity[e] > 1e-15)
                {
                    _level[to] = _level[node] + 1;
                    queue.Enqueue(to);
                }
            }
        }
        return _level[sink] >= 0;
    }

    private double Push(int node, int sink, double limit)
    {
        if (node == sink) return limit;
        var edges = _adjacency[node];
        for (; _next[node] < edges.Count; _next[node]++)
        {
            int e = edges[_next[node]];
            var (to, reverse) = _edges[e];
            if (_level[to] != _level[node] + 1 || _capacity[e] <= 1e-15) continue;
            double pushed = Push(to, sink, Math.Min(limit, _capacity[e]));
            if (pushed > 0)
            {
                _capacity[e] -= pushed;
                _capacity[reverse] += pushed;
                return pushed;
            }
        }
        return 0;
    }
}
