//! Colour matching statistics, seam steps and interior colour error on the synthetic mismatch.

use super::*;

/// A plate, the same plate strongly regraded with a hard disc as its alpha, and FaceOnly settings
/// so that the matched face can be read back where the mask is 1.
fn matched_face(mode: ColourMatch) -> (Frame, Frame, Frame) {
    let src = synthetic_plate(200, 160, 3);
    let face = with_alpha(&colour_mismatch(&src, &Mismatch::STRONG), |x, y| {
        disc(100.0, 80.0, 60.0)(x, y).round()
    });
    let s = BlendSettings {
        colour_match: mode,
        colour_space: ColourSpace::Srgb,
        output: BlendOutput::FaceOnly,
        ..Default::default()
    };
    let out = blend(&src, &face, None, &s).unwrap();
    (src, face, out)
}

#[test]
fn reinhard_matches_lab_mean_and_std_inside_the_mask() {
    let (src, face, out) = matched_face(ColourMatch::Reinhard);
    let lab = |v: Vec<[f64; 3]>| -> Vec<[f64; 3]> {
        v.into_iter()
            .map(|p| linear_to_lab(p.map(|c| ColourSpace::Srgb.to_linear_f64(c))))
            .collect()
    };
    let (ms, cs) = mean_cov(&lab(inside(&src, &face)));
    let (mf, _) = mean_cov(&lab(inside(&face, &face)));
    let (mo, co) = mean_cov(&lab(inside(&out, &face)));
    assert!(
        (0..3).any(|c| (mf[c] - ms[c]).abs() > 3.0),
        "the mismatch must be visible before matching"
    );
    for c in 0..3 {
        assert!(
            (mo[c] - ms[c]).abs() < 0.02,
            "LAB mean {c}: {} vs {}",
            mo[c],
            ms[c]
        );
        let (so, ss) = (co[c][c].sqrt(), cs[c][c].sqrt());
        assert!(
            (so - ss).abs() < 0.01 * ss + 1e-3,
            "LAB std {c}: {so} vs {ss}"
        );
    }
}

#[test]
fn linear_matches_mean_and_covariance_in_linear_light() {
    let (src, face, out) = matched_face(ColourMatch::Linear);
    let lin = |v: Vec<[f64; 3]>| -> Vec<[f64; 3]> {
        v.into_iter()
            .map(|p| p.map(|c| ColourSpace::Srgb.to_linear_f64(c)))
            .collect()
    };
    let (ms, cs) = mean_cov(&lin(inside(&src, &face)));
    let (mo, co) = mean_cov(&lin(inside(&out, &face)));
    let scale = cs.iter().flatten().fold(0.0f64, |a, &b| a.max(b.abs()));
    for i in 0..3 {
        assert!(
            (mo[i] - ms[i]).abs() < 1e-5,
            "mean {i}: {} vs {}",
            mo[i],
            ms[i]
        );
        for j in 0..3 {
            assert!(
                (co[i][j] - cs[i][j]).abs() < 2e-3 * scale,
                "cov {i}{j}: {} vs {}",
                co[i][j],
                cs[i][j]
            );
        }
    }
}

#[test]
fn histogram_matches_quantiles() {
    let (src, face, out) = matched_face(ColourMatch::Histogram);
    let quantiles = |frame: &Frame, c: usize| {
        let mut v: Vec<f64> = inside(frame, &face).iter().map(|p| p[c]).collect();
        v.sort_by(f64::total_cmp);
        [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]
            .map(|q| v[(q * (v.len() - 1) as f64).round() as usize])
    };
    assert!((0..3).any(|c| quantiles(&src, c)
        .iter()
        .zip(quantiles(&face, c))
        .any(|(s, f)| (s - f).abs() > 0.02)));
    for c in 0..3 {
        let (qs, qo) = (quantiles(&src, c), quantiles(&out, c));
        for k in 0..qs.len() {
            assert!(
                (qo[k] - qs[k]).abs() < 1e-3,
                "channel {c} quantile {k}: {} vs {}",
                qo[k],
                qs[k]
            );
        }
    }
}

/// quality.md's seam set-up: a 512 px wide face region on the synthetic plate, GRADED mismatch.
fn seam_fixture() -> (Frame, Frame, BlendSettings, Frame) {
    let src = synthetic_plate(640, 640, 7);
    let face = colour_mismatch(&src, &Mismatch::GRADED);
    let ellipse = Ellipse {
        centre: (320.0, 320.0),
        radii: (256.0, 288.0),
        angle_deg: 0.0,
    };
    let s = BlendSettings {
        mask: MaskSource::Ellipse(ellipse),
        colour_space: ColourSpace::Srgb,
        ..Default::default()
    };
    let mask = mask_of(&src, &face, None, s);
    (src, face, s, mask)
}

fn seam(src: &Frame, face: &Frame, s: BlendSettings, mask: &Frame) -> f64 {
    let out = blend(src, face, None, &s).unwrap();
    seam_step(&out, Some(src), mask, SEAM_REACH_PX).unwrap()
}

#[test]
fn poisson_seam_meets_target_where_hard_paste_fails() {
    let (src, face, s, mask) = seam_fixture();
    let hard = seam(&src, &face, s, &mask);
    let poisson = seam(
        &src,
        &face,
        BlendSettings {
            seamless: true,
            ..s
        },
        &mask,
    );
    assert!(hard > 1.5, "hard paste seam {hard}");
    assert!(
        poisson <= 0.40 && poisson * 4.0 < hard,
        "poisson {poisson} vs hard {hard}"
    );
}

#[test]
fn reinhard_and_feather_seam_meets_target() {
    let (src, face, s, mask) = seam_fixture();
    let feathered = BlendSettings {
        feather_px: 18.0,
        ..s
    };
    let feather = seam(&src, &face, feathered, &mask);
    let reinhard = seam(
        &src,
        &face,
        BlendSettings {
            colour_match: ColourMatch::Reinhard,
            ..feathered
        },
        &mask,
    );
    assert!(feather > 0.45, "feather alone {feather}");
    assert!(
        reinhard <= 0.40 && reinhard < feather / 2.0,
        "reinhard + feather {reinhard} vs feather {feather}"
    );
}

#[test]
fn colour_transfer_brings_interior_delta_e_under_target() {
    let src = synthetic_plate(256, 256, 5);
    let face = colour_mismatch(&src, &Mismatch::STRONG);
    let e = Ellipse {
        centre: (128.0, 128.0),
        radii: (100.0, 110.0),
        angle_deg: 0.0,
    };
    let s = BlendSettings {
        mask: MaskSource::Ellipse(e),
        colour_space: ColourSpace::Srgb,
        ..Default::default()
    };
    let mask = mask_of(&src, &face, None, s);
    let de = |mode| {
        let out = blend(
            &src,
            &face,
            None,
            &BlendSettings {
                colour_match: mode,
                ..s
            },
        )
        .unwrap();
        delta_e76_mean(&out, &src, &mask, ColourSpace::Srgb).unwrap()
    };
    let before = de(ColourMatch::None);
    assert!(before > 10.0, "ΔE76 without transfer {before}");
    for mode in [
        ColourMatch::Reinhard,
        ColourMatch::Linear,
        ColourMatch::Histogram,
    ] {
        let after = de(mode);
        assert!(after <= 5.0, "{mode:?}: ΔE76 {after}");
    }
}
