namespace AutoTimm.Data;

/// <summary>What an <see cref="Augment"/> does. The defaults flip half of the images and do nothing else.</summary>
public sealed record AugmentOptions
{
    /// <summary>Probability of a horizontal flip.</summary>
    public float FlipProbability { get; init; } = 0.5f;

    /// <summary>Which crop to apply.</summary>
    public CropMode Crop { get; init; } = CropMode.None;

    /// <summary>Zero padding, in pixels, for <see cref="CropMode.PadCrop"/>.</summary>
    public int Padding { get; init; } = 4;

    /// <summary>Smallest share of the image area a <see cref="CropMode.RandomResizedCrop"/> keeps.</summary>
    public float MinCropArea { get; init; } = 0.6f;

    /// <summary>Largest share of the image area a <see cref="CropMode.RandomResizedCrop"/> keeps.</summary>
    public float MaxCropArea { get; init; } = 1f;

    /// <summary>Smallest width/height ratio of a <see cref="CropMode.RandomResizedCrop"/> (sampled log-uniformly).</summary>
    public float MinAspectRatio { get; init; } = 3f / 4f;

    /// <summary>Largest width/height ratio of a <see cref="CropMode.RandomResizedCrop"/>.</summary>
    public float MaxAspectRatio { get; init; } = 4f / 3f;

    /// <summary>Brightness jitter: pixels are multiplied by a factor in [1 - b, 1 + b]; 0 disables.</summary>
    public float Brightness { get; init; }

    /// <summary>Contrast jitter: distance from the image's mean gray scaled by a factor in [1 - c, 1 + c]; 0 disables.</summary>
    public float Contrast { get; init; }

    /// <summary>Saturation jitter: distance from each pixel's gray scaled by a factor in [1 - s, 1 + s]; 0 disables.</summary>
    public float Saturation { get; init; }

    internal void Validate()
    {
        const string owner = nameof(AugmentOptions);
        if (FlipProbability is < 0 or > 1) throw new ArgumentException($"{owner}: flip probability {FlipProbability} is outside [0, 1].");
        if (Padding < 0) throw new ArgumentException($"{owner}: padding {Padding} is negative.");
        if (!(MinCropArea > 0) || MaxCropArea < MinCropArea || MaxCropArea > 1)
            throw new ArgumentException($"{owner}: crop area range [{MinCropArea}, {MaxCropArea}] is not within (0, 1].");
        if (!(MinAspectRatio > 0) || MaxAspectRatio < MinAspectRatio)
            throw new ArgumentException($"{owner}: invalid aspect ratio range [{MinAspectRatio}, {MaxAspectRatio}].");
        foreach (var (name, value) in new[] { ("brightness", Brightness), ("contrast", Contrast), ("saturation", Saturation) })
        {
            if (value is < 0 or > 1) throw new ArgumentException($"{owner}: {name} jitter {value} is outside [0, 1].");
        }
    }
}
