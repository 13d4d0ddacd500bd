using System.Text.Json;
using System.Text.Json.Serialization;

namespace AutoTimm.Training;

/// <summary>Where a fit stands; written after every epoch so a run can resume exactly.</summary>
internal sealed record TrainerState
{
    public const string FileName = "trainer_state.json";

    public int NextEpoch { get; init; }
    public long GlobalStep { get; init; }
    public double? BestMetric { get; init; }
    public long Seed { get; init; }
    public string? Arch { get; init; }
    public double? LearningRate { get; init; }
    public string? Optimizer { get; init; }
    public List<EpochRecord> History { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TrainerState? TryLoad(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return null;
        return Load(path);
    }

    public static TrainerState Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid trainer state: {e.Message}", e);
        }
    }

    public void Save(string directory) =>
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
}
