namespace AutoTimm.Training;

/// <summary>Kind of learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>Constant rate after warm-up.</summary>
    Constant,
    /// <summary>Cosine decay from the base rate to <c>MinLearningRate</c> over all steps after warm-up.</summary>
    Cosine,
    /// <summary>Multiply by <c>StepGamma</c> every <c>StepEpochs</c> epochs.</summary>
    Step,
}

/// <summary>Learning rate as a pure function of the step, so a resumed run continues exactly where it stopped.</summary>
public sealed record LearningRateSchedule
{
    /// <summary>Schedule kind.</summary>
    public ScheduleKind Kind { get; init; } = ScheduleKind.Cosine;

    /// <summary>Linear warm-up length in optimizer steps.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Final rate of the cosine schedule.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Epochs between decays of the step schedule.</summary>
    public int StepEpochs { get; init; } = 30;

    /// <summary>Decay factor of the step schedule.</summary>
    public double StepGamma { get; init; } = 0.1;

    /// <summary>The rate at a step.</summary>
    /// <param name="baseRate">Peak learning rate.</param>
    /// <param name="step">Optimizer steps taken so far.</param>
    /// <param name="totalSteps">Optimizer steps of the whole fit.</param>
    /// <param name="stepsPerEpoch">Optimizer steps per epoch.</param>
    public double RateAt(double baseRate, long step, long totalSteps, long stepsPerEpoch)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return baseRate * (step + 1) / WarmupSteps;
        switch (Kind)
        {
            case ScheduleKind.Cosine:
                double span = Math.Max(1, totalSteps - WarmupSteps);
                double progress = Math.Clamp((step - WarmupSteps) / span, 0, 1);
                return MinLearningRate + (baseRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
            case ScheduleKind.Step:
                long epoch = stepsPerEpoch > 0 ? step / stepsPerEpoch : 0;
                return baseRate * Math.Pow(StepGamma, epoch / Math.Max(1, StepEpochs));
            default:
                return baseRate;
        }
    }
}
