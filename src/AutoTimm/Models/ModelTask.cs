namespace AutoTimm.Models;

/// <summary>The task a model solves; names match AutoTimm's task classes.</summary>
public enum ModelTask
{
    /// <summary>Image classification (backbone + classification head).</summary>
    ImageClassifier,
    /// <summary>Object detection.</summary>
    ObjectDetector,
    /// <summary>Semantic segmentation.</summary>
    SemanticSegmentor,
}
