using AutoTimm.Data;

namespace AutoTimm.Models;

/// <summary>One detected object.</summary>
/// <param name="Box">Box in input pixels (corners, exclusive right/bottom edges as torchvision's).</param>
/// <param name="Label">Class index.</param>
/// <param name="Score">Detection score in [0,1] (for FCOS, the geometric mean of class probability and centerness).</param>
/// <param name="Location">Row of the dense output the detection was decoded from (its pyramid level and position).</param>
/// <param name="Level">Pyramid level the detection comes from (0 = highest resolution).</param>
public sealed record Detection(BoundingBox Box, int Label, float Score, int Location, int Level);
