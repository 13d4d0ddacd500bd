namespace AutoTimm.Interpretation;
