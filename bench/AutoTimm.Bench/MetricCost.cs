using AutoTimm.Imaging;
using AutoTimm.Interpretation.Methods;
using AutoTimm.Interpretation.Metrics;
using AutoTimm.Models;
using static TorchSharp.torch;

/// <summary>
/// What each explanation metric costs on the bundled CNN, relative to one inference forward at batch 1 in the same run:
/// deletion + insertion with 100 steps (against 202 single forwards, what a per-step loop would pay), ROAD, faithfulness
/// correlation, sensitivity, infidelity and the randomization cascade.
/// </summary>
internal static class MetricCost
{
    public static object Measure(string modelPath, string imagePath, Func<Action, double> median, Action<VisionModel, Tensor> forward)
    {
        using var model = ImageClassifier.LoadFromCheckpoint(modelPath);
        model.eval();
        using var input = ImageInput.FromFile(imagePath).ToModelInput(model.Config.Preprocess, model.Device);
        using var gradCam = new GradCam(model);
        var heatmap = gradCam.Explain(input);
        int target = heatmap.TargetClass!.Value, pixels = heatmap.Width * heatmap.Height;
        // 100 steps: the smallest step that covers the image in 100.
        var hundred = new PerturbationOptions { PixelsPerStep = (pixels + 99) / 100 };
        double oneForward = median(() => forward(model, input));
        double explain = median(() => gradCam.Explain(input, target));
        double curves = median(() => DeletionInsertion.Compute(model, input, heatmap.Values, target, hundred));
        double loop = median(() =>
        {
            for (int k = 0; k < 202; k++) forward(model, input);
        });
        double road = median(() => Road.Compute(model, input, heatmap.Values, target));
        double correlation = median(() => FaithfulnessCorrelation.Compute(model, input, heatmap.Values, target));
        double sensitivity = median(() => Sensitivity.Compute(gradCam, input, target));
        double infidelity = median(() => Infidelity.Compute(model, input, heatmap.Values, target));
        double randomization = median(() => ParameterRandomization.Compute(gradCam, input, [target]));
        return new
        {
            model = model.Config.Arch,
            input = $"{heatmap.Height}x{heatmap.Width}",
            forward_b1_ms = oneForward,
            gradcam_over_forward = explain / oneForward,
            deletion_insertion_100_steps_ms = curves,
            deletion_insertion_over_forward = curves / oneForward,
            per_step_loop_202_forwards_over_forward = loop / oneForward,
            road_9_percentiles_both_orders_over_forward = road / oneForward,
            faithfulness_correlation_100_runs_over_forward = correlation / oneForward,
            max_sensitivity_gradcam_10_samples_over_forward = sensitivity / oneForward,
            infidelity_10_samples_over_forward = infidelity / oneForward,
            randomization_gradcam_all_layers_over_forward = randomization / oneForward,
        };
    }
}
