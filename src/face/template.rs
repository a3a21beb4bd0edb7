//! The six normalised 5-point alignment templates of the face-model ecosystem, by name.
//!
//! Values are copied from `shared/reference/models.md` (the table the reference tools use).
//! A template point `(u, v)` times the crop size is a position in OpenCV's convention (pixel
//! `(i, j)` at integer coordinates); [`Template::points`] returns it in Doppel's convention
//! (pixel centres at +0.5, see [`crate::face`]), which gives the same crop pixels.

use std::fmt;
use std::str::FromStr;

/// A normalised alignment template: where the 5 landmarks land in a crop, as fractions of its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    /// ArcFace 112 (v1), used by SimSwap and Ghost.
    Arcface112V1,
    /// ArcFace 112 (v2), insightface's `arcface_dst / 112`: the recogniser's own crop.
    Arcface112V2,
    /// FaceFusion's ArcFace 128, used by inswapper and HyperSwap.
    Arcface128,
    /// FFHQ 512, used by restorers, BlendSwap and UniFace.
    Ffhq512,
    /// MTCNN 512, used by HiFiFace.
    Mtcnn512,
    /// DeepFaceLab's whole-face crop approximated from 5 points (DFM models).
    DflWholeFace,
}

/// A template name that is not one of [`Template::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTemplate(pub String);

impl fmt::Display for UnknownTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Template::ALL.iter().map(|t| t.name()).collect();
        write!(
            f,
            "unknown alignment template {:?} (known: {})",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownTemplate {}

impl Template {
    /// Every template, in the order of models.md.
    pub const ALL: [Template; 6] = [
        Template::Arcface112V1,
        Template::Arcface112V2,
        Template::Arcface128,
        Template::Ffhq512,
        Template::Mtcnn512,
        Template::DflWholeFace,
    ];

    /// The name used in models.md, FaceFusion and `identity.json`.
    pub fn name(self) -> &'static str {
        match self {
            Template::Arcface112V1 => "arcface_112_v1",
            Template::Arcface112V2 => "arcface_112_v2",
            Template::Arcface128 => "arcface_128",
            Template::Ffhq512 => "ffhq_512",
            Template::Mtcnn512 => "mtcnn_512",
            Template::DflWholeFace => "dfl_whole_face",
        }
    }

    /// The normalised points (fractions of the crop size), landmark order of [`crate::face::Landmarks`].
    pub fn normalised(self) -> [(f64, f64); 5] {
        match self {
            Template::Arcface112V1 => [
                (0.354_732_14, 0.456_589_29),
                (0.645_267_86, 0.456_589_29),
                (0.500_000_00, 0.611_544_64),
                (0.379_133_93, 0.776_875_00),
                (0.620_866_07, 0.776_875_00),
            ],
            Template::Arcface112V2 => [
                (0.341_916_07, 0.461_574_11),
                (0.656_533_93, 0.459_833_93),
                (0.500_225_00, 0.640_505_36),
                (0.370_975_89, 0.824_691_96),
                (0.631_516_96, 0.823_250_89),
            ],
            Template::Arcface128 => [
                (0.361_676_56, 0.403_877_34),
                (0.636_967_19, 0.402_354_69),
                (0.500_196_87, 0.560_442_19),
                (0.387_103_91, 0.721_605_47),
                (0.615_077_34, 0.720_344_53),
            ],
            Template::Ffhq512 => [
                (0.376_916_76, 0.468_646_64),
                (0.622_856_97, 0.469_128_13),
                (0.501_238_59, 0.613_319_04),
                (0.393_088_22, 0.725_411_00),
                (0.611_502_05, 0.724_904_65),
            ],
            Template::Mtcnn512 => [
                (0.365_628_65, 0.467_337_99),
                (0.633_053_91, 0.465_858_85),
                (0.500_191_27, 0.619_429_59),
                (0.390_329_51, 0.775_988_22),
                (0.611_789_45, 0.774_763_28),
            ],
            Template::DflWholeFace => [
                (0.353_422_66, 0.392_857_16),
                (0.627_976_22, 0.392_857_16),
                (0.486_607_13, 0.540_178_60),
                (0.388_392_87, 0.687_500_11),
                (0.598_214_27, 0.687_500_11),
            ],
        }
    }

    /// The template's points in a `crop_size` crop, in Doppel's convention (pixel centres at +0.5):
    /// `normalised × crop_size + 0.5`. Aligning landmarks (Doppel convention) to these gives the
    /// same crop as the reference tools aligning OpenCV-convention landmarks to `normalised × size`.
    pub fn points(self, crop_size: usize) -> [(f64, f64); 5] {
        let s = crop_size as f64;
        self.normalised().map(|(u, v)| (u * s + 0.5, v * s + 0.5))
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Template {
    type Err = UnknownTemplate;

    /// Parses the exact names of models.md (`arcface_128`, `ffhq_512`, ...), ignoring ASCII case
    /// and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Template::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownTemplate(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for t in Template::ALL {
            assert_eq!(t.name().parse::<Template>(), Ok(t));
            assert_eq!(t.to_string(), t.name());
        }
        assert_eq!(" FFHQ_512 ".parse::<Template>(), Ok(Template::Ffhq512));
        let err = "arcface_112".parse::<Template>().unwrap_err();
        assert!(err.to_string().contains("arcface_112_v1"), "{err}");
        assert!("".parse::<Template>().is_err());
    }

    #[test]
    fn templates_are_plausible_faces() {
        for t in Template::ALL {
            let p = t.normalised();
            // Eyes above nose above mouth; left features left of right ones; all inside the crop.
            assert!(p[0].0 < p[1].0 && p[3].0 < p[4].0, "{t}");
            assert!(p[0].1 < p[2].1 && p[1].1 < p[2].1, "{t}");
            assert!(p[2].1 < p[3].1 && p[2].1 < p[4].1, "{t}");
            assert!(
                p.iter()
                    .all(|&(u, v)| (0.2..0.9).contains(&u) && (0.2..0.9).contains(&v)),
                "{t}"
            );
        }
    }

    #[test]
    fn arcface_v2_is_insightfaces_reference_at_112() {
        // insightface's arcface_dst, the recogniser's template, in pixels of a 112 crop.
        let dst = [
            (38.2946, 51.6963),
            (73.5318, 51.5014),
            (56.0252, 71.7366),
            (41.5493, 92.3655),
            (70.7299, 92.2041),
        ];
        let pts = Template::Arcface112V2.points(112);
        for (p, d) in pts.iter().zip(dst) {
            assert!(
                (p.0 - 0.5 - d.0).abs() < 1e-4 && (p.1 - 0.5 - d.1).abs() < 1e-4,
                "{p:?} vs {d:?}"
            );
        }
    }
}
