using AutoTimm.Data;

namespace AutoTimm.Interpretation.Visualization;

/// <summary>A box a figure draws over its image panels, with a caption (e.g. <c>Bag 92%</c>).</summary>
/// <param name="Box">The box in the heatmap's (model input's) pixel coordinates.</param>
/// <param name="Caption">Text drawn on the box's top edge.</param>
/// <param name="ColorIndex">Which box colour to use, so one box keeps its colour across panels; its position in the list when null.</param>
public sealed record FigureBox(BoundingBox Box, string Caption, int? ColorIndex = null);
