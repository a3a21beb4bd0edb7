//! Mask geometry: ellipse placement and rotation, erode/dilate distances, invert.

use super::*;

#[test]
fn ellipse_centre_area_and_rotation_are_exact() {
    let src = Frame::filled(256, 200, [0.5, 0.5, 0.5, 1.0]);
    let (cx, cy) = (123.5f64, 97.25f64);
    for angle in [0.0f64, 30.0, 90.0, -70.0] {
        let e = Ellipse {
            centre: (cx as f32, cy as f32),
            radii: (60.0, 25.0),
            angle_deg: angle as f32,
        };
        let mask = mask_of(
            &src,
            &src,
            None,
            BlendSettings {
                mask: MaskSource::Ellipse(e),
                ..Default::default()
            },
        );
        let (mut m0, mut mx, mut my, mut mxx, mut myy, mut mxy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for y in 0..200 {
            for x in 0..256 {
                let v = f64::from(mask.pixel(x, y)[3]);
                let (px, py) = (x as f64 + 0.5, y as f64 + 0.5);
                m0 += v;
                mx += v * px;
                my += v * py;
                mxx += v * px * px;
                myy += v * py * py;
                mxy += v * px * py;
            }
        }
        let (ex, ey) = (mx / m0, my / m0);
        let (sxx, syy, sxy) = (mxx / m0 - ex * ex, myy / m0 - ey * ey, mxy / m0 - ex * ey);
        assert!(
            (m0 / (std::f64::consts::PI * 60.0 * 25.0) - 1.0).abs() < 0.005,
            "area {m0}"
        );
        assert!(
            (ex - cx).abs() < 0.02 && (ey - cy).abs() < 0.02,
            "centroid ({ex}, {ey})"
        );
        // Principal axis in y-down coordinates, turned into a counter-clockwise screen angle.
        let screen = -0.5 * (2.0 * sxy).atan2(sxx - syy).to_degrees();
        let err = (screen - angle).rem_euclid(180.0);
        assert!(
            err.min(180.0 - err) < 0.2,
            "angle {angle}: measured {screen}"
        );
        // Counter-clockwise on screen: the long axis points up-right for a positive angle.
        let (s, c) = angle.to_radians().sin_cos();
        let along = |d: f64| mask.pixel((cx + d * c) as usize, (cy - d * s) as usize)[3];
        let across = |d: f64| mask.pixel((cx + d * s) as usize, (cy + d * c) as usize)[3];
        assert_eq!(
            (along(50.0), along(-50.0), across(35.0), across(-35.0)),
            (1.0, 1.0, 0.0, 0.0),
            "angle {angle}"
        );
    }
}

#[test]
fn erode_and_dilate_move_the_edge_by_the_requested_distance() {
    let src = Frame::filled(160, 160, [0.2, 0.3, 0.4, 1.0]);
    let face = with_alpha(&src, disc(80.0, 80.0, 40.0));
    let radius = |erode_px: f32| {
        let mask = mask_of(
            &src,
            &face,
            None,
            BlendSettings {
                erode_px,
                ..Default::default()
            },
        );
        (area(&mask) / std::f64::consts::PI).sqrt()
    };
    let r0 = radius(0.0);
    assert!((r0 - 40.0).abs() < 0.05, "r0 {r0}");
    for d in [5.0f32, -5.0, -5.5, 2.25, 12.0, -20.0] {
        let r = radius(d);
        assert!(
            (r - 40.0 - f64::from(d)).abs() < 0.05,
            "erode_px {d}: radius {r}"
        );
    }
    // Continuous in the amount, including at zero.
    assert!((radius(0.01) - r0).abs() < 0.05 && (radius(-0.01) - r0).abs() < 0.05);
    // The frame border is not an edge: a full-frame matte stays full when eroded.
    let full = with_alpha(&src, |_, _| 1.0);
    let eroded = mask_of(
        &src,
        &full,
        None,
        BlendSettings {
            erode_px: -6.0,
            ..Default::default()
        },
    );
    assert!(eroded.pixels().iter().all(|p| p[3] == 1.0));
}

#[test]
fn invert_is_one_minus_the_mask() {
    let src = synthetic_plate(64, 48, 2);
    let face = with_alpha(&src, disc(30.0, 20.0, 12.0));
    for feather_px in [0.0, 9.0] {
        let s = BlendSettings {
            feather_px,
            erode_px: 1.5,
            ..Default::default()
        };
        let plain = mask_of(&src, &face, None, s);
        let inverted = mask_of(&src, &face, None, BlendSettings { invert: true, ..s });
        for (p, q) in plain.pixels().iter().zip(inverted.pixels()) {
            assert!((p[3] + q[3] - 1.0).abs() < 1e-6);
        }
    }
    // Inverting changes what is blended: the inside keeps Source.
    let face2 = with_alpha(
        &Frame::filled(64, 48, [1.0, 0.0, 0.0, 0.0]),
        disc(30.0, 20.0, 12.0),
    );
    let out = blend(
        &src,
        &face2,
        None,
        &BlendSettings {
            invert: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(out.pixel(30, 20), src.pixel(30, 20));
    assert_eq!(&out.pixel(2, 2)[..3], &[1.0, 0.0, 0.0]);
}
