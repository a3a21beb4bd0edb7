//! Resolving a model's [`SwapConventions`]: the family's (or DFM's) defaults, overridden by
//! declared values, checked against the file's own tensor names and shapes.

use super::conventions::{
    ChannelOrder, IoNames, Layout, ModelKind, Normalisation, OutputRange, SourceInput,
    SwapConventions, TensorFormat,
};
use super::families::{self, FamilySource};
use super::model_info::{describe_value, image_side, is_vector, ModelInfo};
use super::recognise::{err, ConventionError, Declared, DFM_MORPH_DEFAULT};
use crate::face::Template;
use crate::onnx::ValueInfo;

/// The single input among `inputs` that is an image of `channels` in `layout`.
fn find_image<'a>(inputs: &[&'a ValueInfo], channels: usize, layout: Layout) -> Vec<&'a ValueInfo> {
    let nhwc = layout == Layout::Nhwc;
    inputs
        .iter()
        .copied()
        .filter(|v| image_side(v, channels, nhwc).is_some())
        .collect()
}

/// Everything needed to run the model: the family's (or DFM's) defaults, overridden by
/// `declared`, checked against the file's inputs and outputs. `converter` is the embedding
/// converter for simswap, ghost and hififace.
pub fn build_conventions(
    kind: ModelKind,
    info: &ModelInfo,
    declared: &Declared,
    converter: Option<std::path::PathBuf>,
) -> Result<SwapConventions, ConventionError> {
    let family = kind
        .is_generic()
        .then(|| {
            let target = info.input("target").or_else(|| {
                info.inputs
                    .iter()
                    .find(|v| v.name != "source" && image_side(v, 3, false).is_some())
            });
            families::variant(kind, target.and_then(|t| image_side(t, 3, false).flatten()))
        })
        .flatten();
    let defaults = match (kind, family) {
        (ModelKind::Dfm, _) => Declared {
            template: Some(Template::DflWholeFace),
            layout: Some(Layout::Nhwc),
            channels: Some(ChannelOrder::Bgr),
            normalisation: Some(Normalisation::ZeroOne),
            output_range: Some(OutputRange::ZeroOne),
            ..Declared::default()
        },
        (_, Some(v)) => Declared {
            template: Some(v.template),
            layout: Some(Layout::Nchw),
            channels: Some(ChannelOrder::Rgb),
            normalisation: Some(v.normalisation),
            output_range: Some(v.output_range),
            ..Declared::default()
        },
        _ => Declared::default(),
    };
    let d = declared.clone().or(defaults);
    let required = |field: &'static str, what: &str| {
        err(field, format!("is required for a {kind} model ({what})"))
    };
    let template = d
        .template
        .ok_or_else(|| required("template", "an alignment template name"))?;
    let channels = d
        .channels
        .ok_or_else(|| required("channels", "rgb or bgr"))?;
    let normalisation = d.normalisation.ok_or_else(|| {
        required(
            "normalisation",
            "zero_one, minus_one_one, imagenet, raw255 or arcface",
        )
    })?;
    let output_range = d
        .output_range
        .ok_or_else(|| required("output_range", "zero_one, minus_one_one or raw255"))?;

    // Inputs: target crop, identity source, morph; nothing else may be left over.
    let all: Vec<&ValueInfo> = info.inputs.iter().collect();
    let morph = all
        .iter()
        .find(|v| v.name == "morph_value:0" || v.name == "morph_value")
        .map(|v| (v.name.clone(), d.morph.unwrap_or(DFM_MORPH_DEFAULT)));
    let source_vi = kind
        .is_generic()
        .then(|| {
            info.input("source").or_else(|| {
                all.iter()
                    .copied()
                    .find(|v| v.name != "target" && (is_vector(v) || kind.takes_source_image()))
            })
        })
        .flatten();
    let rest: Vec<&ValueInfo> = all
        .iter()
        .copied()
        .filter(|v| Some(&v.name) != morph.as_ref().map(|m| &m.0) && Some(*v) != source_vi)
        .collect();
    let named_target = ["target", "in_face:0"]
        .into_iter()
        .find_map(|n| rest.iter().copied().find(|v| v.name == n));
    let layout = match d.layout {
        Some(l) => l,
        None => {
            let probe = named_target
                .map(|t| vec![t])
                .unwrap_or_else(|| rest.clone());
            let fits = |l| !find_image(&probe, 3, l).is_empty();
            match (fits(Layout::Nchw), fits(Layout::Nhwc)) {
                (true, false) => Layout::Nchw,
                (false, true) => Layout::Nhwc,
                _ => return Err(required("layout", "nchw or nhwc")),
            }
        }
    };
    let target = match named_target {
        Some(t) => t,
        None => match find_image(&rest, 3, layout).as_slice() {
            [one] => one,
            [] => {
                return Err(err(
                    "layout",
                    format!(
                        "is {} but the model has no 3-channel image input in that layout ({})",
                        layout.name(),
                        info.describe()
                    ),
                ))
            }
            _ => {
                return Err(err(
                    "file",
                    format!(
                        "has several image inputs and none is named target ({})",
                        info.describe()
                    ),
                ))
            }
        },
    };
    let side = match image_side(target, 3, layout == Layout::Nhwc) {
        Some(side) => side,
        None => {
            return Err(err(
                "layout",
                format!(
                    "is {} but the model's input {} is not a batch-1 square {} image",
                    layout.name(),
                    describe_value(target),
                    layout.name()
                ),
            ))
        }
    };
    if let Some(extra) = rest.iter().find(|v| v.name != target.name) {
        return Err(err(
            "file",
            format!(
                "has an input Doppel does not know how to feed: {} ({})",
                describe_value(extra),
                info.describe()
            ),
        ));
    }
    let crop_size = match (side, d.crop_size, family) {
        (Some(s), Some(c), _) if s != c => {
            return Err(err(
                "crop_size",
                format!(
                    "is {c} but the model's input {} takes {s}×{s} crops",
                    target.name
                ),
            ))
        }
        (Some(s), _, _) => s,
        (None, Some(c), _) => c,
        (None, None, Some(v)) => v.crop,
        (None, None, None) => {
            return Err(required("crop_size", "the model's input size is dynamic"))
        }
    };

    let source = source_input(kind, family, source_vi, converter, info)?;
    let (face, masks) = outputs(kind, info, layout)?;
    let input = TensorFormat {
        layout,
        channels,
        normalisation,
    };
    let output = TensorFormat {
        normalisation: match output_range {
            OutputRange::ZeroOne => Normalisation::ZeroOne,
            OutputRange::MinusOneOne => Normalisation::MinusOneOne,
            OutputRange::Raw255 => Normalisation::Raw255,
        },
        ..input
    };
    Ok(SwapConventions {
        kind,
        template,
        crop_size,
        input,
        output,
        output_range,
        source,
        morph,
        learned_masks: !masks.is_empty(),
        io: IoNames {
            target: target.name.clone(),
            source: source_vi.map(|v| v.name.clone()),
            face,
            masks,
        },
    })
}

fn source_input(
    kind: ModelKind,
    family: Option<&families::Variant>,
    source_vi: Option<&ValueInfo>,
    converter: Option<std::path::PathBuf>,
    info: &ModelInfo,
) -> Result<SourceInput, ConventionError> {
    let Some(family) = family else {
        return Ok(SourceInput::None);
    };
    let Some(vi) = source_vi else {
        return Err(err(
            "kind",
            format!(
                "is {kind} but the model has no identity (source) input ({})",
                info.describe()
            ),
        ));
    };
    match family.source {
        FamilySource::Vector {
            normalise,
            emap,
            converter: needs,
        } => {
            if !is_vector(vi) {
                return Err(err(
                    "kind",
                    format!(
                        "is {kind}, whose source input is a (1,512) vector, but the model's is {}",
                        describe_value(vi)
                    ),
                ));
            }
            if needs && converter.is_none() {
                return Err(err(
                    "converter",
                    format!(
                        "is required for {kind} models: the embedding converter ({})",
                        families::converter_names(kind).join(" or ")
                    ),
                ));
            }
            Ok(SourceInput::Embedding {
                normalise,
                emap,
                converter: if needs { converter } else { None },
            })
        }
        FamilySource::Image {
            template,
            size,
            normalisation,
        } => {
            match image_side(vi, 3, false) {
                Some(None) => {}
                Some(Some(s)) if s == size => {}
                _ => {
                    return Err(err(
                        "kind",
                        format!(
                            "is {kind}, whose source input is a (1,3,{size},{size}) image, but \
                             the model's is {}",
                            describe_value(vi)
                        ),
                    ))
                }
            }
            Ok(SourceInput::Image {
                template,
                size,
                normalisation,
            })
        }
    }
}

/// The face output and the learned mask outputs.
fn outputs(
    kind: ModelKind,
    info: &ModelInfo,
    layout: Layout,
) -> Result<(String, Vec<String>), ConventionError> {
    let nhwc = layout == Layout::Nhwc;
    let preferred = if kind == ModelKind::Dfm {
        "out_celeb_face:0"
    } else {
        "output"
    };
    let face = info
        .output(preferred)
        .or_else(|| {
            info.outputs
                .iter()
                .find(|v| image_side(v, 3, nhwc).is_some())
        })
        .or_else(|| {
            if info.outputs.len() == 1 {
                info.outputs.first()
            } else {
                None
            }
        })
        .ok_or_else(|| {
            err(
                "layout",
                format!(
                    "the model has no {} 3-channel image output ({})",
                    layout.name(),
                    info.describe()
                ),
            )
        })?;
    let masks = if kind.is_generic() {
        Vec::new()
    } else {
        info.outputs
            .iter()
            .filter(|v| v.name != face.name && image_side(v, 1, nhwc).is_some())
            .map(|v| v.name.clone())
            .collect()
    };
    Ok((face.name.clone(), masks))
}
