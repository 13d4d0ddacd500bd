using System.CommandLine;

namespace AutoTimm.Cli.Commands;

/// <summary><c>autotimm predict</c>: classify one image.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new ModelOptions();
        var image = new Option<string>("--image") { Description = "Image file (png/jpg/bmp/webp) or .npy float32 [3,H,W]/[1,3,H,W] model input", Required = true };
        var topK = new Option<int>("--top-k") { Description = "Number of ranked classes to list", DefaultValueFactory = _ => 5 };
        var logits = new Option<bool>("--logits") { Description = "Also print the raw logits" };
        var command = new Command("predict", "Classify an image; prints predicted_class, confidence, top_k (and logits).");
        model.AddTo(command);
        command.Options.Add(image);
        command.Options.Add(topK);
        command.Options.Add(logits);
        command.SetJsonAction(parse =>
        {
            using var classifier = model.Load(parse);
            var prediction = classifier.Predict(parse.GetValue(image)!, parse.GetValue(topK));
            return new
            {
                predicted_class = prediction.PredictedClass,
                label = prediction.Label,
                confidence = prediction.Confidence,
                top_k = prediction.TopK.Select(c => new { @class = c.Class, label = c.Label, probability = c.Probability }),
                logits = parse.GetValue(logits) ? prediction.Logits : null,
            };
        });
        return command;
    }
}
